//! `GET /v1/projects/{project_id}/catch-up/{employee_id}`: what a person has left to do.

use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use continuity_contract::{EmployeeId, ProjectId};
use continuity_shared::auth::Caller;
use continuity_shared::db::Db;
use continuity_shared::http::docs::Problem;
use continuity_shared::ids::parse_path;
use continuity_shared::{ApiError, ApiResult};
use serde::Serialize;
use utoipa::ToSchema;

use super::READERS;
use crate::domain::ids::SessionId;
use crate::service::catchup;
use crate::service::curriculum::CurriculumCache;

/// About what an answer takes without its items, and what each item takes: a plan of 40
/// sessions is about 10 KiB, written at once into a buffer of that size instead of one
/// that doubles from 128 bytes (each step a copy).
const ANSWER_BYTES: usize = 512;
const ITEM_BYTES: usize = 320;

// Borrowed from the shared curriculum: a plan of 40 sessions is read thousands of times a
// second, and copying every title into the answer only to write it out cost more than
// writing it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CatchUpItem<'a> {
    #[schema(value_type = String)]
    pub session_id: SessionId,
    pub title: &'a str,
    pub module: &'a str,
    #[serde(serialize_with = "continuity_contract::date::bounded::serialize")]
    pub held_on: NaiveDate,
    pub duration_minutes: u32,
    pub minutes_left: u32,
    /// 0 to 1.
    pub share_done: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CatchUpResponse<'a> {
    pub project_id: String,
    pub employee_id: String,
    pub department_code: String,
    /// Set when a handover made this person a successor.
    #[serde(serialize_with = "continuity_contract::date::bounded_opt::serialize")]
    pub due_date: Option<NaiveDate>,
    pub handover_id: Option<String>,
    pub sessions_required: u32,
    pub sessions_done: u32,
    pub minutes_left: u32,
    /// Required sessions neither attended nor completed, oldest first.
    pub items: Vec<CatchUpItem<'a>>,
}

/// A person's catch-up plan on a project. A member reads only their own.
#[utoipa::path(
    tag = "catch-up",
    params(
        ("project_id" = String, Path, description = "The project's UUID"),
        ("employee_id" = String, Path, description = "The HR system's employee id"),
    ),
    responses(
        (status = 200, body = CatchUpResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown project or person", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/projects/{project_id}/catch-up/{employee_id}")]
pub async fn get_catch_up(
    caller: Caller,
    db: web::Data<Db>,
    cache: web::Data<CurriculumCache>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let project: ProjectId = parse_path("project_id", &path.0)?;
    let employee: EmployeeId = parse_path("employee_id", &path.1)?;
    caller.require_self_or(&employee, READERS)?;
    let p = catchup::get(&db, &cache, project, employee.clone()).await?;
    let items: Vec<CatchUpItem> = p
        .plan
        .items
        .iter()
        .map(|i| CatchUpItem {
            session_id: i.session.session_id,
            title: i.session.title.as_str(),
            module: i.session.module.as_str(),
            held_on: i.session.held_on,
            duration_minutes: i.session.duration_minutes,
            minutes_left: i.minutes_left,
            share_done: i.share_done,
        })
        .collect();
    let answer = CatchUpResponse {
        project_id: project.to_string(),
        employee_id: employee.to_string(),
        department_code: p.department_code.to_string(),
        due_date: p.due_date,
        handover_id: p.handover_id.map(|h| h.to_string()),
        sessions_required: p.plan.sessions_required,
        sessions_done: p.plan.sessions_done,
        minutes_left: items.iter().map(|i| i.minutes_left).sum(),
        items,
    };
    let mut body = Vec::with_capacity(ANSWER_BYTES + ITEM_BYTES * answer.items.len());
    serde_json::to_writer(&mut body, &answer).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(body))
}
