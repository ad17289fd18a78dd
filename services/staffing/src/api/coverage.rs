//! `/v1/projects/{project_id}/coverage`

use actix_web::http::header::ContentType;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use continuity_contract::{CoverageStatus, TeamRole};
use continuity_shared::auth::Caller;
use continuity_shared::clock::Clock;
use continuity_shared::db::Db;
use continuity_shared::http::docs::Problem;
use continuity_shared::i18n::Lang;
use continuity_shared::{ApiError, ApiResult};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::READERS;
use super::coverage_cache::CoverageCache;
use super::projects::parse_project;
use crate::domain::coverage::{Coverage, DepartmentCoverage, MemberCoverage};
use crate::service::coverage;
use crate::settings::Rules;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageQuery {
    /// The date to read coverage on, `YYYY-MM-DD`; default today in the company's time zone.
    #[serde(with = "continuity_contract::date::bounded_opt", default)]
    #[param(value_type = Option<NaiveDate>)]
    pub on: Option<NaiveDate>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberCoverageResponse {
    pub employee_id: String,
    pub role: TeamRole,
    /// Counts toward the department's coverage on the date.
    pub effective: bool,
    /// Has a last working day still to come (or today).
    pub leaving: bool,
    pub last_working_day: Option<NaiveDate>,
    /// Still settling in: counts from this day.
    pub new_hire_until: Option<NaiveDate>,
    pub backup_for: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DepartmentCoverageResponse {
    pub department_code: String,
    pub key: bool,
    pub required: u32,
    pub effective: u32,
    pub status: CoverageStatus,
    /// Why, in the language asked for (`Accept-Language`: zh-CN or en).
    pub reasons: Vec<String>,
    pub members: Vec<MemberCoverageResponse>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CoverageResponse {
    pub project_id: String,
    pub on: NaiveDate,
    /// The worst department status (`ok` when no department is tracked).
    pub status: CoverageStatus,
    /// Worst first.
    pub departments: Vec<DepartmentCoverageResponse>,
}

fn member(m: &MemberCoverage) -> MemberCoverageResponse {
    MemberCoverageResponse {
        employee_id: m.employee_id.to_string(),
        role: m.role,
        effective: m.effective,
        leaving: m.leaving,
        last_working_day: m.last_working_day,
        new_hire_until: m.new_hire_until,
        backup_for: m.backup_for.as_ref().map(ToString::to_string),
    }
}

pub fn department(d: &DepartmentCoverage, lang: Lang) -> DepartmentCoverageResponse {
    DepartmentCoverageResponse {
        department_code: d.code.to_string(),
        key: d.key,
        required: d.required,
        effective: d.effective,
        status: d.status,
        reasons: d
            .reasons
            .iter()
            .map(|r| r.text().get(lang).to_owned())
            .collect(),
        members: d.members.iter().map(member).collect(),
    }
}

impl CoverageResponse {
    fn new(project_id: String, c: &Coverage, lang: Lang) -> Self {
        Self {
            project_id,
            on: c.on,
            status: c.status,
            departments: c.departments.iter().map(|d| department(d, lang)).collect(),
        }
    }
}

/// Each department's coverage on a date, worst first, and the worst overall.
#[utoipa::path(
    tag = "projects",
    params(("project_id" = String, Path, description = "The project's UUID"), CoverageQuery),
    responses(
        (status = 200, body = CoverageResponse),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/projects/{project_id}/coverage")]
#[allow(clippy::too_many_arguments)] // one extractor per thing the handler needs
pub async fn get_coverage(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    clock: web::Data<Clock>,
    rules: web::Data<Rules>,
    cache: web::Data<CoverageCache>,
    project: web::Path<String>,
    query: web::Query<CoverageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let id = parse_project(&project)?;
    let on = query.on.unwrap_or_else(|| clock.today());
    let key = (id, on, Lang::of(&req));
    let answer = |body: Bytes| {
        HttpResponse::Ok()
            .content_type(ContentType::json())
            .body(body)
    };
    let now = coverage::generation(&db, id).await?;
    if let Some(body) = cache.get(&key, now) {
        return Ok(answer(body));
    }
    let (generation, c) = coverage::get_with_generation(&db, id, on, **rules).await?;
    let body = Bytes::from(
        serde_json::to_vec(&CoverageResponse::new(id.to_string(), &c, key.2))
            .map_err(ApiError::internal)?,
    );
    cache.put(key, generation, body.clone());
    Ok(answer(body))
}
