//! `/v1/employees`

use actix_web::{HttpResponse, get, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use continuity_contract::{DepartmentCode, EmployeeId};
use continuity_shared::audit::AuditContext;
use continuity_shared::auth::Caller;
use continuity_shared::db::Db;
use continuity_shared::etag::{self, IfMatch};
use continuity_shared::http::Json;
use continuity_shared::http::docs::Problem;
use continuity_shared::ids::parse_path;
use continuity_shared::pagination::{Page, PageQuery};
use continuity_shared::{ApiError, ApiResult};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{READERS, ROSTER_WRITERS};
use crate::db::employees::EmployeeFilter;
use crate::domain::Versioned;
use crate::domain::employee::{Employee, EmployeeStatus};
use crate::service::{Put, employees};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutEmployeeRequest {
    pub name: String,
    pub department_code: String,
    /// `YYYY-MM-DD`, years 1900 to 9999 (what the events and the other services carry).
    #[serde(with = "continuity_contract::date::bounded")]
    pub hire_date: NaiveDate,
    /// Default `active`.
    pub status: Option<EmployeeStatus>,
    /// Required when the status is `leaving` or `left`; years 1900 to 9999.
    #[serde(with = "continuity_contract::date::bounded_opt", default)]
    pub last_working_day: Option<NaiveDate>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EmployeeResponse {
    pub employee_id: String,
    pub name: String,
    pub department_code: String,
    pub hire_date: NaiveDate,
    pub status: EmployeeStatus,
    pub last_working_day: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Versioned<Employee>> for EmployeeResponse {
    fn from(stored: &Versioned<Employee>) -> Self {
        let e = &stored.value;
        Self {
            employee_id: e.employee_id.to_string(),
            name: e.name.to_string(),
            department_code: e.department_code.to_string(),
            hire_date: e.hire_date,
            status: e.status,
            last_working_day: e.last_working_day,
            created_at: stored.created_at,
            updated_at: stored.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EmployeeQuery {
    /// Only this department.
    #[param(value_type = Option<DepartmentCode>)]
    pub department: Option<String>,
    /// Only this status: `active`, `leaving` or `left`.
    #[param(value_type = Option<EmployeeStatus>)]
    pub status: Option<String>,
}

impl EmployeeQuery {
    fn to_filter(&self) -> ApiResult<EmployeeFilter> {
        let status = match self.status.as_deref() {
            None => None,
            Some(raw) => Some(EmployeeStatus::parse(raw).ok_or_else(|| {
                ApiError::invalid_field(
                    "status",
                    continuity_shared::text!(
                        "must be active, leaving or left",
                        "须为 active、leaving 或 left"
                    ),
                )
            })?),
        };
        Ok(EmployeeFilter {
            // Parsed here rather than by the extractor, so a bad code is a 422 naming
            // `department` (the query extractor's errors name no field).
            department: self
                .department
                .as_deref()
                .map(|d| parse_path::<DepartmentCode>("department", d))
                .transpose()?,
            status,
        })
    }
}

fn parse_id(raw: &str) -> ApiResult<EmployeeId> {
    parse_path("employee_id", raw)
}

/// Create or replace an employee. Giving an active employee a last working day (status
/// `leaving`) is a resignation and publishes `employee.resigned`; taking it away again
/// (status `active`) publishes `employee.resignation_rescinded`; status `left` publishes
/// `employee.left`; another department publishes `employee.transferred`.
#[utoipa::path(
    tag = "employees",
    params(
        ("employee_id" = String, Path, description = "The HR system's id"),
        ("If-Match" = Option<String>, Header, description = "Replace only this version: an `ETag` read before, or `*`"),
    ),
    request_body = PutEmployeeRequest,
    responses(
        (status = 201, description = "Created", body = EmployeeResponse),
        (status = 200, description = "Replaced or unchanged", body = EmployeeResponse),
        (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/employees/{employee_id}")]
#[allow(clippy::too_many_arguments)] // one extractor per thing the handler needs
pub async fn put_employee(
    caller: Caller,
    db: web::Data<Db>,
    rules: web::Data<crate::settings::Rules>,
    audit: AuditContext,
    id: web::Path<String>,
    if_match: IfMatch,
    body: Json<PutEmployeeRequest>,
) -> ApiResult<HttpResponse> {
    caller.require(ROSTER_WRITERS)?;
    let id = parse_id(&id)?;
    let Json(req) = body;
    let dept: DepartmentCode = parse_path("department_code", &req.department_code)?;
    let status = req.status.unwrap_or(EmployeeStatus::Active);
    let employee = Employee::new(
        id,
        &req.name,
        dept,
        req.hire_date,
        status,
        req.last_working_day,
    )
    .map_err(ApiError::validation)?;
    let (stored, outcome) = employees::put(&db, employee, if_match, audit, **rules).await?;
    let location =
        (outcome == Put::Created).then(|| format!("/v1/employees/{}", stored.value.employee_id));
    Ok(etag::respond(
        stored.version,
        location,
        &EmployeeResponse::from(&stored),
    ))
}

/// One employee; a `member` token may read only its own person.
#[utoipa::path(
    tag = "employees",
    params(("employee_id" = String, Path, description = "The HR system's id")),
    responses(
        (status = 200, body = EmployeeResponse),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/employees/{employee_id}")]
pub async fn get_employee(
    caller: Caller,
    db: web::Data<Db>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id)?;
    caller.require_self_or(&id, READERS)?;
    let stored = employees::get(&db, id).await?;
    Ok(etag::respond(
        stored.version,
        None,
        &EmployeeResponse::from(&stored),
    ))
}

/// Employees by id, optionally of one department or status.
#[utoipa::path(
    tag = "employees",
    params(EmployeeQuery, PageQuery),
    responses((status = 200, body = Page<EmployeeResponse>))
)]
#[get("/v1/employees")]
pub async fn list_employees(
    caller: Caller,
    db: web::Data<Db>,
    filter: web::Query<EmployeeQuery>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let page = page.parse()?;
    let rows = employees::list(&db, filter.to_filter()?, page.clone()).await?;
    let page = Page::from_rows(
        rows,
        &page,
        |r| r.value.employee_id.to_string(),
        |r| EmployeeResponse::from(&r),
    );
    Ok(HttpResponse::Ok().json(page))
}
