//! `/v1/projects/{project_id}/members`

use actix_web::{HttpResponse, delete, get, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use continuity_contract::{DepartmentCode, EmployeeId, TeamRole};
use continuity_shared::ApiResult;
use continuity_shared::audit::AuditContext;
use continuity_shared::auth::Caller;
use continuity_shared::db::Db;
use continuity_shared::etag::{self, IfMatch};
use continuity_shared::http::Json;
use continuity_shared::http::docs::Problem;
use continuity_shared::ids::parse_path;
use continuity_shared::pagination::{Page, PageQuery};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::projects::parse_project;
use super::{READERS, TEAM_WRITERS};
use crate::domain::Versioned;
use crate::domain::team::TeamMember;
use crate::service::Put;
use crate::service::teams::{self, Place};
use crate::settings::Rules;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutMemberRequest {
    /// The department the member represents; default the employee's own.
    #[schema(value_type = Option<String>)]
    pub department_code: Option<DepartmentCode>,
    pub role: TeamRole,
    /// A member of the team this one stands in for.
    #[schema(value_type = Option<String>)]
    pub backup_for: Option<EmployeeId>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberResponse {
    pub project_id: String,
    pub employee_id: String,
    pub department_code: String,
    pub role: TeamRole,
    pub backup_for: Option<String>,
    /// The company's date the member joined the team.
    pub joined_on: NaiveDate,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Versioned<TeamMember>> for MemberResponse {
    fn from(m: &Versioned<TeamMember>) -> Self {
        let v = &m.value;
        Self {
            project_id: v.project_id.to_string(),
            employee_id: v.employee_id.to_string(),
            department_code: v.department_code.to_string(),
            role: v.role,
            backup_for: v.backup_for.as_ref().map(ToString::to_string),
            joined_on: v.joined_on,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

fn parse_employee(raw: &str) -> ApiResult<EmployeeId> {
    parse_path("employee_id", raw)
}

/// Put an employee on the team, or change their department, role or backup.
#[utoipa::path(
    tag = "projects",
    params(
        ("project_id" = String, Path, description = "The project's UUID"),
        ("employee_id" = String, Path, description = "The HR system's id"),
        ("If-Match" = Option<String>, Header, description = "Change only this version: an `ETag` read before, or `*`"),
    ),
    request_body = PutMemberRequest,
    responses(
        (status = 201, description = "Added", body = MemberResponse),
        (status = 200, description = "Changed or unchanged", body = MemberResponse),
        (status = 404, description = "Unknown project or employee", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/projects/{project_id}/members/{employee_id}")]
#[allow(clippy::too_many_arguments)] // one extractor per thing the handler needs
pub async fn put_member(
    caller: Caller,
    db: web::Data<Db>,
    audit: AuditContext,
    rules: web::Data<Rules>,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: Json<PutMemberRequest>,
) -> ApiResult<HttpResponse> {
    caller.require(TEAM_WRITERS)?;
    let (project, employee) = (parse_project(&path.0)?, parse_employee(&path.1)?);
    let Json(req) = body;
    let place = Place {
        department_code: req.department_code,
        role: req.role,
        backup_for: req.backup_for,
    };
    let (stored, outcome) =
        teams::put_member(&db, project, employee, place, if_match, audit, **rules).await?;
    let location = (outcome == Put::Created).then(|| {
        format!(
            "/v1/projects/{}/members/{}",
            stored.value.project_id, stored.value.employee_id
        )
    });
    Ok(etag::respond(
        stored.version,
        location,
        &MemberResponse::from(&stored),
    ))
}

/// Take an employee off the team.
#[utoipa::path(
    tag = "projects",
    params(
        ("project_id" = String, Path, description = "The project's UUID"),
        ("employee_id" = String, Path, description = "The HR system's id"),
        ("If-Match" = Option<String>, Header, description = "Remove only this version"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "Not on the team", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/v1/projects/{project_id}/members/{employee_id}")]
pub async fn delete_member(
    caller: Caller,
    db: web::Data<Db>,
    audit: AuditContext,
    rules: web::Data<Rules>,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    caller.require(TEAM_WRITERS)?;
    let (project, employee) = (parse_project(&path.0)?, parse_employee(&path.1)?);
    teams::remove_member(&db, project, employee, if_match, audit, **rules).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The project's team, by employee id.
#[utoipa::path(
    tag = "projects",
    params(("project_id" = String, Path, description = "The project's UUID"), PageQuery),
    responses(
        (status = 200, body = Page<MemberResponse>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/projects/{project_id}/members")]
pub async fn list_members(
    caller: Caller,
    db: web::Data<Db>,
    project: web::Path<String>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let project = parse_project(&project)?;
    let page = page.parse()?;
    let rows = teams::list(&db, project, page.clone()).await?;
    let page = Page::from_rows(
        rows,
        &page,
        |r| r.value.employee_id.to_string(),
        |r| MemberResponse::from(&r),
    );
    Ok(HttpResponse::Ok().json(page))
}
