//! `/v1/departments`

use actix_web::{HttpResponse, get, put, web};
use chrono::{DateTime, Utc};
use continuity_contract::DepartmentCode;
use continuity_shared::audit::AuditContext;
use continuity_shared::auth::{Caller, Role};
use continuity_shared::db::Db;
use continuity_shared::etag::{self, IfMatch};
use continuity_shared::http::Json;
use continuity_shared::http::docs::Problem;
use continuity_shared::ids::parse_path;
use continuity_shared::pagination::{Page, PageQuery};
use continuity_shared::{ApiError, ApiResult};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{READERS, ROSTER_WRITERS};
use crate::domain::Versioned;
use crate::domain::department::Department;
use crate::service::{Put, departments};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutDepartmentRequest {
    /// Display name, 1 to 200 characters.
    pub name: String,
    /// A key department must keep at least `min_project_members` effective members.
    #[serde(default)]
    pub key: bool,
    /// Default 2 for a key department, 1 otherwise.
    pub min_project_members: Option<u32>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DepartmentResponse {
    pub code: String,
    pub name: String,
    pub key: bool,
    pub min_project_members: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Versioned<Department>> for DepartmentResponse {
    fn from(d: &Versioned<Department>) -> Self {
        Self {
            code: d.value.code.to_string(),
            name: d.value.name.to_string(),
            key: d.value.key,
            min_project_members: d.value.min_project_members,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

fn parse_code(raw: &str) -> ApiResult<DepartmentCode> {
    parse_path("code", raw)
}

/// Create or replace a department.
#[utoipa::path(
    tag = "departments",
    params(
        ("code" = String, Path, description = "Department code, e.g. `sales`"),
        ("If-Match" = Option<String>, Header, description = "Replace only this version: an `ETag` read before, or `*`"),
    ),
    request_body = PutDepartmentRequest,
    responses(
        (status = 201, description = "Created", body = DepartmentResponse),
        (status = 200, description = "Replaced or unchanged", body = DepartmentResponse),
        (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/departments/{code}")]
pub async fn put_department(
    caller: Caller,
    db: web::Data<Db>,
    rules: web::Data<crate::settings::Rules>,
    audit: AuditContext,
    code: web::Path<String>,
    if_match: IfMatch,
    body: Json<PutDepartmentRequest>,
) -> ApiResult<HttpResponse> {
    caller.require(ROSTER_WRITERS)?;
    let code = parse_code(&code)?;
    let Json(req) = body;
    let dept = Department::new(code, &req.name, req.key, req.min_project_members)
        .map_err(ApiError::validation)?;
    let (stored, outcome) = departments::put(&db, dept, if_match, audit, **rules).await?;
    let location =
        (outcome == Put::Created).then(|| format!("/v1/departments/{}", stored.value.code));
    Ok(etag::respond(
        stored.version,
        location,
        &DepartmentResponse::from(&stored),
    ))
}

/// One department.
#[utoipa::path(
    tag = "departments",
    params(("code" = String, Path, description = "Department code")),
    responses(
        (status = 200, body = DepartmentResponse),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/departments/{code}")]
pub async fn get_department(
    caller: Caller,
    db: web::Data<Db>,
    code: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require(&[READERS, &[Role::Member]].concat())?;
    let row = departments::get(&db, parse_code(&code)?).await?;
    Ok(etag::respond(
        row.version,
        None,
        &DepartmentResponse::from(&row),
    ))
}

/// All departments, by code.
#[utoipa::path(
    tag = "departments",
    params(PageQuery),
    responses((status = 200, body = Page<DepartmentResponse>))
)]
#[get("/v1/departments")]
pub async fn list_departments(
    caller: Caller,
    db: web::Data<Db>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(&[READERS, &[Role::Member]].concat())?;
    let page = page.parse()?;
    let rows = departments::list(&db, page.clone()).await?;
    let page = Page::from_rows(
        rows,
        &page,
        |r| r.value.code.to_string(),
        |r| DepartmentResponse::from(&r),
    );
    Ok(HttpResponse::Ok().json(page))
}
