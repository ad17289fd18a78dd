//! `/v1/projects`

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use continuity_contract::{ProjectId, ProjectStatus};
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
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{READERS, TEAM_WRITERS};
use crate::domain::Versioned;
use crate::domain::project::{DEFAULT_STABILIZATION_MONTHS, Project};
use crate::service::projects::{self, ProjectPatch};
use crate::settings::Rules;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProjectRequest {
    pub name: String,
    /// Default `planned`.
    pub status: Option<ProjectStatus>,
    #[serde(with = "continuity_contract::date::bounded_opt", default)]
    pub planned_start: Option<NaiveDate>,
    #[serde(with = "continuity_contract::date::bounded_opt", default)]
    pub planned_go_live: Option<NaiveDate>,
    /// Months after go-live the team must stay covered, 0 to 36; default 3.
    #[schema(minimum = 0, maximum = 36)]
    pub stabilization_months: Option<u32>,
}

/// Present fields change; a date sent as `null` is cleared.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchProjectRequest {
    pub name: Option<String>,
    pub status: Option<ProjectStatus>,
    #[serde(default, deserialize_with = "nullable_date")]
    #[schema(value_type = Option<NaiveDate>)]
    pub planned_start: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable_date")]
    #[schema(value_type = Option<NaiveDate>)]
    pub planned_go_live: Option<Option<NaiveDate>>,
    #[schema(minimum = 0, maximum = 36)]
    pub stabilization_months: Option<u32>,
}

/// A field that is present: `null` becomes `Some(None)`, a date `Some(Some(d))`.
fn nullable_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<NaiveDate>>, D::Error> {
    continuity_contract::date::bounded_opt::deserialize(d).map(Some)
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProjectResponse {
    pub project_id: String,
    pub name: String,
    pub status: ProjectStatus,
    pub planned_start: Option<NaiveDate>,
    pub planned_go_live: Option<NaiveDate>,
    pub stabilization_months: u32,
    /// Planned go-live plus the stabilization months.
    pub stabilization_end: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Versioned<Project>> for ProjectResponse {
    fn from(p: &Versioned<Project>) -> Self {
        let v = &p.value;
        Self {
            project_id: v.project_id.to_string(),
            name: v.name.to_string(),
            status: v.status,
            planned_start: v.planned_start,
            planned_go_live: v.planned_go_live,
            stabilization_months: v.stabilization_months,
            stabilization_end: v.stabilization_end(),
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectQuery {
    /// Only projects in this status.
    #[param(value_type = Option<ProjectStatus>)]
    pub status: Option<String>,
}

pub(super) fn parse_project(raw: &str) -> ApiResult<ProjectId> {
    parse_path("project_id", raw)
}

/// Create a project. Send an `Idempotency-Key` to retry safely.
#[utoipa::path(
    tag = "projects",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    request_body = CreateProjectRequest,
    responses(
        (status = 201, description = "Created", body = ProjectResponse),
        (status = 409, description = "The same key is in use by a request still running", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field, or the key was used with another body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/projects")]
#[allow(clippy::too_many_arguments)] // one extractor per thing the handler needs
pub async fn create_project(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    audit: AuditContext,
    rules: web::Data<Rules>,
    key: IdempotencyKey,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    caller.require(TEAM_WRITERS)?;
    let (body, request): (_, CreateProjectRequest) = read_json(&req, payload).await?;
    let project = Project::new(
        ProjectId::new(),
        &request.name,
        request.status.unwrap_or(ProjectStatus::Planned),
        request.planned_start,
        request.planned_go_live,
        request
            .stabilization_months
            .unwrap_or(DEFAULT_STABILIZATION_MONTHS),
    )
    .map_err(ApiError::validation)?;
    let rules = **rules;
    idempotency::once(&db, &caller, key, "projects.create", &body, move |conn| {
        let stored = projects::create_in(conn, project, &audit, &rules)?;
        let body =
            serde_json::to_value(ProjectResponse::from(&stored)).map_err(ApiError::internal)?;
        Ok(Created {
            status: StatusCode::CREATED,
            body,
        })
    })
    .await
}

/// Change a project: present fields change, `null` clears a date.
#[utoipa::path(
    tag = "projects",
    params(
        ("project_id" = String, Path, description = "The project's UUID"),
        ("If-Match" = Option<String>, Header, description = "Change only this version: an `ETag` read before, or `*`"),
    ),
    request_body = PatchProjectRequest,
    responses(
        (status = 200, body = ProjectResponse),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/v1/projects/{project_id}")]
#[allow(clippy::too_many_arguments)] // one extractor per thing the handler needs
pub async fn patch_project(
    caller: Caller,
    db: web::Data<Db>,
    audit: AuditContext,
    rules: web::Data<Rules>,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<PatchProjectRequest>,
) -> ApiResult<HttpResponse> {
    caller.require(TEAM_WRITERS)?;
    let id = parse_project(&id)?;
    let Json(req) = body;
    let patch = ProjectPatch {
        name: req.name,
        status: req.status,
        planned_start: req.planned_start,
        planned_go_live: req.planned_go_live,
        stabilization_months: req.stabilization_months,
    };
    let stored = projects::patch(&db, id, patch, if_match, audit, **rules).await?;
    Ok(etag::respond(
        stored.version,
        None,
        &ProjectResponse::from(&stored),
    ))
}

/// One project.
#[utoipa::path(
    tag = "projects",
    params(("project_id" = String, Path, description = "The project's UUID")),
    responses(
        (status = 200, body = ProjectResponse),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/projects/{project_id}")]
pub async fn get_project(
    caller: Caller,
    db: web::Data<Db>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let stored = projects::get(&db, parse_project(&id)?).await?;
    Ok(etag::respond(
        stored.version,
        None,
        &ProjectResponse::from(&stored),
    ))
}

/// Projects by id (time-ordered), optionally of one status.
#[utoipa::path(
    tag = "projects",
    params(ProjectQuery, PageQuery),
    responses((status = 200, body = Page<ProjectResponse>))
)]
#[get("/v1/projects")]
pub async fn list_projects(
    caller: Caller,
    db: web::Data<Db>,
    query: web::Query<ProjectQuery>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let status = match query.status.as_deref() {
        None => None,
        Some(raw) => Some(ProjectStatus::parse(raw).ok_or_else(|| {
            ApiError::invalid_field(
                "status",
                text!(
                    "must be planned, in_progress, live or closed",
                    "须为 planned、in_progress、live 或 closed"
                ),
            )
        })?),
    };
    let page = page.parse()?;
    let rows = projects::list(&db, status, page.clone()).await?;
    let page = Page::from_rows(
        rows,
        &page,
        |r| r.value.project_id.to_string(),
        |r| ProjectResponse::from(&r),
    );
    Ok(HttpResponse::Ok().json(page))
}
