//! `/v1/projects/{project_id}/notices` and `/v1/notices/{id}`: liaison notices as JSON and
//! as printable documents.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use continuity_contract::{DepartmentCode, Name, NoticeId, ProcessChangeId, ProjectId, Reason};
use continuity_shared::audit::AuditContext;
use continuity_shared::auth::Caller;
use continuity_shared::clock::Clock;
use continuity_shared::db::Db;
use continuity_shared::http::body::read_json;
use continuity_shared::http::docs::Problem;
use continuity_shared::i18n::Lang;
use continuity_shared::idempotency::{self, Created, IdempotencyKey};
use continuity_shared::ids::parse_path;
use continuity_shared::{ApiError, ApiResult, FieldError, text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::changes::parse_project;
use super::format::{Format, negotiate};
use super::{PUBLISHERS, READERS, document};
use crate::domain::acknowledgment::AckStatus;
use crate::domain::change::ProcessChange;
use crate::domain::lifecycle::ChangeStatus;
use crate::domain::notice::{MAX_CHANGES, NoticeStatus};
use crate::service::notices::{self, NoticeView};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateNoticeRequest {
    pub title: Name,
    /// Approved changes of the project, in the order the notice lists them.
    pub change_ids: Vec<ProcessChangeId>,
}

/// A change as a notice lists it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NoticeChange {
    pub change_id: ProcessChangeId,
    pub process: Name,
    pub step: Name,
    pub before: Reason,
    pub after: Reason,
    pub reason: Reason,
    pub departments: Vec<DepartmentCode>,
    pub effective_date: NaiveDate,
    pub status: ChangeStatus,
}

impl From<&ProcessChange> for NoticeChange {
    fn from(c: &ProcessChange) -> Self {
        let f = &c.fields;
        Self {
            change_id: c.change_id,
            process: f.process.clone(),
            step: f.step.clone(),
            before: f.before.clone(),
            after: f.after.clone(),
            reason: f.reason.clone(),
            departments: f.departments.clone(),
            effective_date: f.effective_date,
            status: c.status,
        }
    }
}

/// Acknowledgments of one department: how many have, have not, and need not.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct AckCounts {
    pub acknowledged: u32,
    pub pending: u32,
    pub not_required: u32,
}

impl AckCounts {
    pub fn add(&mut self, s: AckStatus) {
        match s {
            AckStatus::Acknowledged => self.acknowledged += 1,
            AckStatus::Pending => self.pending += 1,
            AckStatus::NotRequired => self.not_required += 1,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NoticeDepartment {
    pub code: DepartmentCode,
    /// As the roster copy names it, when known.
    pub name: Option<Name>,
    pub acknowledgments: AckCounts,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NoticeResponse {
    pub notice_id: NoticeId,
    pub project_id: ProjectId,
    pub number: i64,
    /// How people quote it: `LN-0007`.
    pub reference: String,
    pub title: Name,
    pub status: NoticeStatus,
    pub created_by: String,
    pub published_on: Option<NaiveDate>,
    pub published_at: Option<DateTime<Utc>>,
    /// Current while at least one of its changes is.
    pub current: bool,
    pub departments: Vec<NoticeDepartment>,
    pub changes: Vec<NoticeChange>,
    pub acknowledgments: AckCounts,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&NoticeView> for NoticeResponse {
    fn from(v: &NoticeView) -> Self {
        let n = &v.notice.value;
        let mut total = AckCounts::default();
        let departments = v
            .departments
            .iter()
            .map(|(code, name)| {
                let mut counts = AckCounts::default();
                for a in v
                    .acknowledgments
                    .iter()
                    .filter(|a| a.department_code == *code)
                {
                    counts.add(a.status);
                }
                NoticeDepartment {
                    code: code.clone(),
                    name: name.clone(),
                    acknowledgments: counts,
                }
            })
            .collect();
        for a in &v.acknowledgments {
            total.add(a.status);
        }
        Self {
            notice_id: n.notice_id,
            project_id: n.project_id,
            number: n.number,
            reference: n.reference(),
            title: n.title.clone(),
            status: n.status,
            created_by: n.created_by.clone(),
            published_on: n.published_on,
            published_at: n.published_at,
            current: v.changes.iter().any(|c| c.is_current()),
            departments,
            changes: v.changes.iter().map(NoticeChange::from).collect(),
            acknowledgments: total,
            version: v.notice.version,
            created_at: v.notice.created_at,
            updated_at: v.notice.updated_at,
        }
    }
}

pub(super) fn parse_notice(raw: &str) -> ApiResult<NoticeId> {
    parse_path("notice_id", raw)
}

/// Bundle approved changes of the project into a draft notice.
#[utoipa::path(
    tag = "notices",
    params(
        ("project_id" = String, Path, description = "The project's UUID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    request_body = CreateNoticeRequest,
    responses(
        (status = 201, description = "A draft notice", body = NoticeResponse),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A change is not approved, or the key is in use", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No change, an unknown one, one of another project, or two of one step", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/projects/{project_id}/notices")]
pub async fn create_notice(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    audit: AuditContext,
    key: IdempotencyKey,
    project: web::Path<String>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    caller.require(PUBLISHERS)?;
    let project = parse_project(&project)?;
    let (body, r): (_, CreateNoticeRequest) = read_json(&req, payload).await?;
    if r.change_ids.is_empty() || r.change_ids.len() > MAX_CHANGES {
        return Err(ApiError::validation(vec![FieldError::new(
            "change_ids",
            text!(
                "must name 1 to {MAX_CHANGES} process changes",
                "须包含 1 到 {MAX_CHANGES} 个流程变更"
            ),
        )]));
    }
    let by = caller.identity();
    let scope = format!("notices.create:{project}");
    idempotency::once(&db, &caller, key, &scope, &body, move |conn| {
        let stored = notices::create_in(conn, project, r.title, r.change_ids, &audit, by)?;
        let view = notices::view(conn, stored.value.notice_id)?;
        let body = serde_json::to_value(NoticeResponse::from(&view)).map_err(ApiError::internal)?;
        Ok(Created {
            status: StatusCode::CREATED,
            body,
        })
    })
    .await
}

/// Publish a notice: its changes are published (superseding older ones of the same
/// process and step) and every active employee of every affected department is asked to
/// acknowledge it, in one transaction.
#[utoipa::path(
    tag = "notices",
    params(("notice_id" = String, Path, description = "The notice's UUID")),
    responses(
        (status = 200, description = "Published", body = NoticeResponse),
        (status = 422, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only a manager or documenter publishes", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already published, or a change is no longer approved", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/notices/{notice_id}/publish")]
pub async fn publish_notice(
    caller: Caller,
    db: web::Data<Db>,
    clock: web::Data<Clock>,
    audit: AuditContext,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require(PUBLISHERS)?;
    let id = parse_notice(&id)?;
    let today = clock.local(audit.at).date_naive();
    let view = notices::publish(&db, id, audit, today).await?;
    Ok(HttpResponse::Ok().json(NoticeResponse::from(&view)))
}

/// A notice: JSON, or a printable document for `Accept: text/html` or `text/markdown`,
/// in the language of `Accept-Language` (zh-CN or en).
#[utoipa::path(
    tag = "notices",
    params(
        ("notice_id" = String, Path, description = "The notice's UUID"),
        ("Accept" = Option<String>, Header, description = "`application/json` (default), `text/html` or `text/markdown`"),
        ("Accept-Language" = Option<String>, Header, description = "`zh-CN` or `en` (default)"),
    ),
    responses(
        (status = 200, body = NoticeResponse, content_type = "application/json"),
        (status = 200, description = "Printable", body = String, content_type = "text/html"),
        (status = 200, description = "Printable", body = String, content_type = "text/markdown"),
        (status = 422, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/notices/{notice_id}")]
pub async fn get_notice(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let view = notices::get(&db, parse_notice(&id)?).await?;
    let body = NoticeResponse::from(&view);
    let format = negotiate(&req, &[Format::Json, Format::Html, Format::Markdown]);
    let lang = Lang::of(&req);
    let text = match format {
        Format::Html => document::notice_html(&body, lang),
        Format::Markdown => document::notice_markdown(&body, lang),
        _ => return Ok(HttpResponse::Ok().json(body)),
    };
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header(("Content-Language", lang.tag()))
        .insert_header(("Vary", "Accept, Accept-Language"))
        .body(text))
}
