//! `/v1/projects/{project_id}/training-sessions` and `/v1/training-sessions/{id}`

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use continuity_contract::{DepartmentCode, ProjectId};
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
use continuity_shared::{ApiError, ApiResult};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{READERS, SESSION_WRITERS};
use crate::db::sessions::SessionFilter;
use crate::domain::Versioned;
use crate::domain::ids::SessionId;
use crate::domain::session::{SessionDraft, TrainingSession};
use crate::service::sessions;
use crate::settings::Rules;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSessionRequest {
    pub title: String,
    /// The part of the system taught, e.g. `leads`; sessions are listed by it.
    pub module: String,
    #[serde(with = "continuity_contract::date::bounded")]
    pub held_on: NaiveDate,
    pub trainer: String,
    /// 1 to 1440.
    #[schema(minimum = 1, maximum = 1440)]
    pub duration_minutes: u32,
    /// The audience: department codes, at least one.
    #[schema(value_type = Vec<String>)]
    pub departments: Vec<DepartmentCode>,
    #[serde(default)]
    pub description: String,
    /// Default true: the audience must attend or catch up.
    pub required: Option<bool>,
}

/// Present fields change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchSessionRequest {
    pub title: Option<String>,
    pub module: Option<String>,
    #[serde(with = "continuity_contract::date::bounded_opt", default)]
    pub held_on: Option<NaiveDate>,
    pub trainer: Option<String>,
    #[schema(minimum = 1, maximum = 1440)]
    pub duration_minutes: Option<u32>,
    #[schema(value_type = Option<Vec<String>>)]
    pub departments: Option<Vec<DepartmentCode>>,
    pub description: Option<String>,
    pub required: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResponse {
    pub session_id: String,
    pub project_id: String,
    pub title: String,
    pub module: String,
    pub held_on: NaiveDate,
    pub trainer: String,
    pub duration_minutes: u32,
    pub departments: Vec<String>,
    pub description: String,
    pub required: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Versioned<TrainingSession>> for SessionResponse {
    fn from(s: &Versioned<TrainingSession>) -> Self {
        let v = &s.value;
        Self {
            session_id: v.session_id.to_string(),
            project_id: v.project_id.to_string(),
            title: v.title.to_string(),
            module: v.module.to_string(),
            held_on: v.held_on,
            trainer: v.trainer.to_string(),
            duration_minutes: v.duration_minutes,
            departments: v.departments.iter().map(|d| d.to_string()).collect(),
            description: v.description.clone(),
            required: v.required,
            version: s.version,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    /// Only sessions of this module.
    pub module: Option<String>,
    /// Only sessions whose audience includes this department.
    pub department: Option<String>,
    /// Only sessions held on this day (`YYYY-MM-DD`).
    pub date: Option<String>,
    /// Only sessions held on or after this day.
    pub from: Option<String>,
    /// Only sessions held on or before this day.
    pub to: Option<String>,
}

fn parse_date(field: &str, raw: Option<&str>) -> ApiResult<Option<NaiveDate>> {
    raw.map(|r| {
        NaiveDate::parse_from_str(r, "%Y-%m-%d").map_err(|_| {
            ApiError::invalid_field(
                field,
                continuity_shared::text!("must be a date YYYY-MM-DD", "须为日期 YYYY-MM-DD"),
            )
        })
    })
    .transpose()
}

impl SessionQuery {
    fn parse(&self) -> ApiResult<SessionFilter> {
        let day = parse_date("date", self.date.as_deref())?;
        Ok(SessionFilter {
            module: self.module.clone(),
            department: self
                .department
                .as_deref()
                .map(|d| parse_path::<DepartmentCode>("department", d))
                .transpose()?,
            held_from: day.or(parse_date("from", self.from.as_deref())?),
            held_to: day.or(parse_date("to", self.to.as_deref())?),
        })
    }
}

pub(super) fn parse_session(raw: &str) -> ApiResult<SessionId> {
    parse_path("session_id", raw)
}

/// Record a session of a project (known from staffing's roster). Send an
/// `Idempotency-Key` to retry safely.
#[utoipa::path(
    tag = "training sessions",
    params(
        ("project_id" = String, Path, description = "The project's UUID"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    request_body = CreateSessionRequest,
    responses(
        (status = 201, description = "Created", body = SessionResponse),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown project", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same key is in use by a request still running", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field, or the key was used with another body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/projects/{project_id}/training-sessions")]
#[allow(clippy::too_many_arguments)] // one extractor per thing the handler needs
pub async fn create_session(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    audit: AuditContext,
    rules: web::Data<Rules>,
    key: IdempotencyKey,
    project: web::Path<String>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    caller.require(SESSION_WRITERS)?;
    let project: ProjectId = parse_path("project_id", &project)?;
    let (body, r): (_, CreateSessionRequest) = read_json(&req, payload).await?;
    let draft = SessionDraft {
        title: r.title,
        module: r.module,
        held_on: r.held_on,
        trainer: r.trainer,
        duration_minutes: r.duration_minutes,
        departments: r.departments,
        description: r.description,
        required: r.required.unwrap_or(true),
    };
    let rules = **rules;
    let scope = "training-sessions.create";
    idempotency::once(&db, &caller, key, scope, &body, move |conn| {
        let stored = sessions::create_in(conn, project, draft, &audit, &rules)?;
        let body =
            serde_json::to_value(SessionResponse::from(&stored)).map_err(ApiError::internal)?;
        Ok(Created {
            status: StatusCode::CREATED,
            body,
        })
    })
    .await
}

/// A project's sessions by id (time-ordered), filtered by module, audience department
/// and date held.
#[utoipa::path(
    tag = "training sessions",
    params(("project_id" = String, Path, description = "The project's UUID"), SessionQuery, PageQuery),
    responses(
        (status = 200, body = Page<SessionResponse>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown project", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/projects/{project_id}/training-sessions")]
pub async fn list_sessions(
    caller: Caller,
    db: web::Data<Db>,
    project: web::Path<String>,
    query: web::Query<SessionQuery>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let project: ProjectId = parse_path("project_id", &project)?;
    let filter = query.parse()?;
    let page = page.parse()?;
    let rows = sessions::list(&db, project, filter, page.clone()).await?;
    let out = Page::from_rows(
        rows,
        &page,
        |r| r.value.session_id.to_string(),
        |r| SessionResponse::from(&r),
    );
    Ok(HttpResponse::Ok().json(out))
}

/// One session, with its `ETag`.
#[utoipa::path(
    tag = "training sessions",
    params(("session_id" = String, Path, description = "The session's UUID")),
    responses(
        (status = 200, body = SessionResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a UUID", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/training-sessions/{session_id}")]
pub async fn get_session(
    caller: Caller,
    db: web::Data<Db>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let stored = sessions::get(&db, parse_session(&id)?).await?;
    Ok(etag::respond(
        stored.version,
        None,
        &SessionResponse::from(&stored),
    ))
}

/// Change a session: present fields change. `If-Match` is required.
#[utoipa::path(
    tag = "training sessions",
    params(
        ("session_id" = String, Path, description = "The session's UUID"),
        ("If-Match" = String, Header, description = "The `ETag` read before, or `*`"),
    ),
    request_body = PatchSessionRequest,
    responses(
        (status = 200, body = SessionResponse),
        (status = 400, description = "Malformed JSON or If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/v1/training-sessions/{session_id}")]
pub async fn patch_session(
    caller: Caller,
    db: web::Data<Db>,
    audit: AuditContext,
    rules: web::Data<Rules>,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<PatchSessionRequest>,
) -> ApiResult<HttpResponse> {
    caller.require(SESSION_WRITERS)?;
    let id = parse_session(&id)?;
    let if_match = if_match.required()?;
    let Json(p) = body;
    let change = move |d: SessionDraft| SessionDraft {
        title: p.title.unwrap_or(d.title),
        module: p.module.unwrap_or(d.module),
        held_on: p.held_on.unwrap_or(d.held_on),
        trainer: p.trainer.unwrap_or(d.trainer),
        duration_minutes: p.duration_minutes.unwrap_or(d.duration_minutes),
        departments: p.departments.unwrap_or(d.departments),
        description: p.description.unwrap_or(d.description),
        required: p.required.unwrap_or(d.required),
    };
    let stored = sessions::patch(&db, id, change, if_match, audit, **rules).await?;
    Ok(etag::respond(
        stored.version,
        None,
        &SessionResponse::from(&stored),
    ))
}
