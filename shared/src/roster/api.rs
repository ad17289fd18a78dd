//! Read-only views of the roster copy, for inspection (`/v1/roster/...`).

use actix_web::{HttpResponse, get, web};
use continuity_contract::{DepartmentCode, ProjectId, Role};
use serde::Deserialize;
use utoipa::IntoParams;

use super::db;
use super::model::{Copied, CopiedDepartment, CopiedEmployee, CopiedMember, CopiedProject};
use crate::auth::Caller;
use crate::db::{CorruptRow, Db};
use crate::error::ApiResult;
use crate::http::docs::Problem;
use crate::ids::parse_path;
use crate::pagination::{Page, PageQuery};

const READERS: &[Role] = &[
    Role::Manager,
    Role::Documenter,
    Role::Trainer,
    Role::Integration,
    Role::Service,
];

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RosterEmployeeQuery {
    /// Only this department.
    #[param(value_type = Option<DepartmentCode>)]
    pub department: Option<String>,
}

fn copied<R, T>(
    updated_at: impl Fn(&R) -> chrono::NaiveDateTime,
) -> impl Fn(R) -> Result<Copied<T>, CorruptRow>
where
    T: TryFrom<R, Error = CorruptRow>,
{
    move |row| {
        let at = updated_at(&row);
        Ok(Copied {
            value: T::try_from(row)?,
            updated_at: at,
        })
    }
}

/// Departments as copied from the roster's producer.
#[utoipa::path(tag = "roster copy", params(PageQuery),
    responses((status = 200, body = Page<Copied<CopiedDepartment>>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
#[get("/v1/roster/departments")]
pub async fn departments(
    caller: Caller,
    db: web::Data<Db>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let out = page
        .load(
            &db,
            |c, p| Ok(db::list_departments(c, p)?),
            |r| r.code.clone(),
            copied::<db::DepartmentRow, CopiedDepartment>(|r| r.updated_at),
        )
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Employees as copied from the roster's producer, with status and last working day.
#[utoipa::path(tag = "roster copy", params(RosterEmployeeQuery, PageQuery),
    responses((status = 200, body = Page<Copied<CopiedEmployee>>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
#[get("/v1/roster/employees")]
pub async fn employees(
    caller: Caller,
    db: web::Data<Db>,
    query: web::Query<RosterEmployeeQuery>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    // Parsed here, so a bad code is a 422 naming `department`.
    let dept = query
        .into_inner()
        .department
        .as_deref()
        .map(|d| parse_path::<DepartmentCode>("department", d))
        .transpose()?;
    let out = page
        .load(
            &db,
            move |c, p| Ok(db::list_employees(c, dept.as_ref().map(|d| d.as_str()), p)?),
            |r| r.employee_id.clone(),
            copied::<db::EmployeeRow, CopiedEmployee>(|r| r.updated_at),
        )
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Projects as copied from the roster's producer.
#[utoipa::path(tag = "roster copy", params(PageQuery),
    responses((status = 200, body = Page<Copied<CopiedProject>>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
#[get("/v1/roster/projects")]
pub async fn projects(
    caller: Caller,
    db: web::Data<Db>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let out = page
        .load(
            &db,
            |c, p| Ok(db::list_projects(c, p)?),
            |r| r.project_id.clone(),
            copied::<db::ProjectRow, CopiedProject>(|r| r.updated_at),
        )
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// A project's team as copied from the roster's producer.
#[utoipa::path(
    tag = "roster copy",
    params(("project_id" = String, Path), PageQuery),
    responses((status = 200, body = Page<Copied<CopiedMember>>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"))
)]
#[get("/v1/roster/projects/{project_id}/members")]
pub async fn members(
    caller: Caller,
    db: web::Data<Db>,
    project: web::Path<String>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let project: ProjectId = parse_path("project_id", &project)?;
    let out = page
        .load(
            &db,
            move |c, p| Ok(db::list_members(c, &project.to_string(), p)?),
            |r| r.employee_id.clone(),
            copied::<db::MemberRow, CopiedMember>(|r| r.updated_at),
        )
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(departments)
        .service(employees)
        .service(projects)
        .service(members);
}
