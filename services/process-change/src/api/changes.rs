//! `/v1/projects/{project_id}/process-changes` and `/v1/process-changes/{id}`

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use continuity_contract::{DepartmentCode, Name, NoticeId, ProcessChangeId, ProjectId, Reason};
use continuity_shared::audit::AuditContext;
use continuity_shared::auth::Caller;
use continuity_shared::db::Db;
use continuity_shared::etag::{self, IfMatch};
use continuity_shared::http::Json;
use continuity_shared::http::body::read_json;
use continuity_shared::http::docs::Problem;
use continuity_shared::idempotency::{self, Created, IdempotencyKey};
use continuity_shared::ids::parse_path;
use continuity_shared::pagination::{Page, PageQuery};
use continuity_shared::{ApiError, ApiResult, text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::READERS;
use crate::db::changes::ChangeFilter;
use crate::domain::Versioned;
use crate::domain::change::{ChangeFields, ProcessChange};
use crate::domain::lifecycle::{ChangeAction, ChangeStatus, RECORDERS};
use crate::service::changes::{self, ChangePatch};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateChangeRequest {
    /// The business process, e.g. `Order to cash`.
    pub process: Name,
    /// The step of the process that changes.
    pub step: Name,
    /// How the step was done.
    pub before: Reason,
    /// How it is done from the effective date.
    pub after: Reason,
    pub reason: Reason,
    /// Codes of the departments that work this step.
    pub departments: Vec<DepartmentCode>,
    #[serde(with = "continuity_contract::date::bounded")]
    pub effective_date: NaiveDate,
    /// Who decided or wrote it down; default the caller's token name.
    pub recorded_by: Option<Name>,
}

/// Present fields change; only a draft may be edited, and only with `If-Match`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchChangeRequest {
    pub process: Option<Name>,
    pub step: Option<Name>,
    pub before: Option<Reason>,
    pub after: Option<Reason>,
    pub reason: Option<Reason>,
    pub departments: Option<Vec<DepartmentCode>>,
    #[serde(with = "continuity_contract::date::bounded_opt", default)]
    pub effective_date: Option<NaiveDate>,
    pub recorded_by: Option<Name>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChangeResponse {
    pub change_id: ProcessChangeId,
    pub project_id: ProjectId,
    pub process: Name,
    pub step: Name,
    pub before: Reason,
    pub after: Reason,
    pub reason: Reason,
    pub departments: Vec<DepartmentCode>,
    pub effective_date: NaiveDate,
    pub recorded_by: Name,
    pub status: ChangeStatus,
    /// The notice that published it.
    pub notice_id: Option<NoticeId>,
    /// The newer change that replaced it.
    pub superseded_by: Option<ProcessChangeId>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Versioned<ProcessChange>> for ChangeResponse {
    fn from(c: &Versioned<ProcessChange>) -> Self {
        let (v, f) = (&c.value, &c.value.fields);
        Self {
            change_id: v.change_id,
            project_id: v.project_id,
            process: f.process.clone(),
            step: f.step.clone(),
            before: f.before.clone(),
            after: f.after.clone(),
            reason: f.reason.clone(),
            departments: f.departments.clone(),
            effective_date: f.effective_date,
            recorded_by: f.recorded_by.clone(),
            status: v.status,
            notice_id: v.notice_id,
            superseded_by: v.superseded_by,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangeQuery {
    /// Only changes of this process (exact name).
    pub process: Option<String>,
    /// Only changes that affect this department.
    #[param(value_type = Option<DepartmentCode>)]
    pub department: Option<String>,
    /// Only changes in this status.
    #[param(value_type = Option<ChangeStatus>)]
    pub status: Option<String>,
}

pub(super) fn parse_project(raw: &str) -> ApiResult<ProjectId> {
    parse_path("project_id", raw)
}

fn parse_change(raw: &str) -> ApiResult<ProcessChangeId> {
    parse_path("change_id", raw)
}

fn respond(c: &Versioned<ProcessChange>) -> HttpResponse {
    etag::respond(c.version, None, &ChangeResponse::from(c))
}

/// Record a process change (a draft). Send an `Idempotency-Key` to retry safely.
#[utoipa::path(
    tag = "process changes",
    params(
        ("project_id" = String, Path, description = "The project's UUID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    request_body = CreateChangeRequest,
    responses(
        (status = 201, description = "Recorded as a draft", body = ChangeResponse),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only a documenter records changes", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same key is in use by a request still running", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field, or the key was used with another body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/projects/{project_id}/process-changes")]
pub async fn create_change(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    audit: AuditContext,
    key: IdempotencyKey,
    project: web::Path<String>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    caller.require(RECORDERS)?;
    let project = parse_project(&project)?;
    let (body, r): (_, CreateChangeRequest) = read_json(&req, payload).await?;
    let recorded_by = match r.recorded_by {
        Some(n) => n,
        None => Name::parse(&caller.identity()).map_err(|_| {
            ApiError::invalid_field("recorded_by", text!("is required", "为必填项"))
        })?,
    };
    let fields = ChangeFields::new(
        r.process,
        r.step,
        r.before,
        r.after,
        r.reason,
        r.departments,
        r.effective_date,
        recorded_by,
    )
    .map_err(ApiError::validation)?;
    let scope = format!("process-changes.create:{project}");
    idempotency::once(&db, &caller, key, &scope, &body, move |conn| {
        let stored = changes::create_in(conn, project, fields, &audit)?;
        let body =
            serde_json::to_value(ChangeResponse::from(&stored)).map_err(ApiError::internal)?;
        Ok(Created {
            status: StatusCode::CREATED,
            body,
        })
    })
    .await
}

/// A project's process changes by id (time-ordered), optionally filtered.
#[utoipa::path(
    tag = "process changes",
    params(("project_id" = String, Path, description = "The project's UUID"), ChangeQuery, PageQuery),
    responses(
        (status = 200, body = Page<ChangeResponse>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed project id, invalid filter or page", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/projects/{project_id}/process-changes")]
pub async fn list_changes(
    caller: Caller,
    db: web::Data<Db>,
    project: web::Path<String>,
    query: web::Query<ChangeQuery>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let project = parse_project(&project)?;
    let q = query.into_inner();
    let filter = ChangeFilter {
        process: q.process,
        department: match q.department.as_deref() {
            None => None,
            Some(raw) => Some(DepartmentCode::parse(raw).map_err(|e| {
                ApiError::invalid_field("department", continuity_shared::ids::id_error_text(e))
            })?),
        },
        status: match q.status.as_deref() {
            None => None,
            Some(raw) => Some(ChangeStatus::parse(raw).ok_or_else(|| {
                ApiError::invalid_field(
                    "status",
                    text!(
                        "must be draft, approved, published or superseded",
                        "须为 draft、approved、published 或 superseded"
                    ),
                )
            })?),
        },
    };
    let page = page.parse()?;
    let rows = changes::list(&db, project, filter, page.clone()).await?;
    let page = Page::from_rows(
        rows,
        &page,
        |r| r.value.change_id.to_string(),
        |r| ChangeResponse::from(&r),
    );
    Ok(HttpResponse::Ok().json(page))
}

/// One process change, with its `ETag`.
#[utoipa::path(
    tag = "process changes",
    params(("change_id" = String, Path, description = "The change's UUID")),
    responses(
        (status = 200, body = ChangeResponse),
        (status = 422, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/process-changes/{change_id}")]
pub async fn get_change(
    caller: Caller,
    db: web::Data<Db>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    Ok(respond(&changes::get(&db, parse_change(&id)?).await?))
}

/// Edit a draft. `If-Match` with the `ETag` read before is required.
#[utoipa::path(
    tag = "process changes",
    params(
        ("change_id" = String, Path, description = "The change's UUID"),
        ("If-Match" = String, Header, description = "The `ETag` read before (or `*`)"),
    ),
    request_body = PatchChangeRequest,
    responses(
        (status = 200, body = ChangeResponse),
        (status = 400, description = "Malformed JSON or If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only a documenter edits", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/v1/process-changes/{change_id}")]
pub async fn patch_change(
    caller: Caller,
    db: web::Data<Db>,
    audit: AuditContext,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<PatchChangeRequest>,
) -> ApiResult<HttpResponse> {
    caller.require(ChangeAction::Edit.roles())?;
    let id = parse_change(&id)?;
    let Json(r) = body;
    let patch = ChangePatch {
        process: r.process,
        step: r.step,
        before: r.before,
        after: r.after,
        reason: r.reason,
        departments: r.departments,
        effective_date: r.effective_date,
        recorded_by: r.recorded_by,
    };
    Ok(respond(
        &changes::patch(&db, id, patch, if_match.required()?, audit).await?,
    ))
}

/// Approve a draft. `If-Match`, when sent, must match.
#[utoipa::path(
    tag = "process changes",
    params(
        ("change_id" = String, Path, description = "The change's UUID"),
        ("If-Match" = Option<String>, Header, description = "Approve only this version"),
    ),
    responses(
        (status = 200, body = ChangeResponse),
        (status = 400, description = "Malformed If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only a manager approves", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/process-changes/{change_id}/approve")]
pub async fn approve_change(
    caller: Caller,
    db: web::Data<Db>,
    audit: AuditContext,
    id: web::Path<String>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    caller.require(ChangeAction::Approve.roles())?;
    let id = parse_change(&id)?;
    Ok(respond(&changes::approve(&db, id, if_match, audit).await?))
}
