//! `PUT /v1/materials/{id}/progress/{employee_id}`: what a player played, or a document read.

use actix_web::{HttpResponse, put, web};
use continuity_contract::EmployeeId;
use continuity_shared::audit::AuditContext;
use continuity_shared::auth::Caller;
use continuity_shared::db::Db;
use continuity_shared::http::Json;
use continuity_shared::http::docs::Problem;
use continuity_shared::ids::parse_path;
use continuity_shared::{ApiError, ApiResult, text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::PROGRESS_REPORTERS;
use crate::domain::ids::MaterialId;
use crate::domain::progress::{Interval, check_intervals};
use crate::service::progress::{self, Report};
use crate::settings::Rules;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlayedInterval {
    /// Seconds from the start of the recording.
    pub start: f64,
    pub end: f64,
}

/// Either what was played (`position_seconds`, `played`) or `{"read": true}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressRequest {
    /// Where the player is now (for resuming); it never counts as watched by itself.
    pub position_seconds: Option<f64>,
    /// Intervals played since the last report (or all of them: repeats do not count).
    #[serde(default)]
    pub played: Vec<PlayedInterval>,
    /// Slides and documents: opened and read.
    pub read: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressResponse {
    pub material_id: String,
    pub employee_id: String,
    /// Seconds of the union of played intervals.
    pub watched_seconds: f64,
    pub duration_seconds: Option<f64>,
    /// 0 to 1.
    pub share: f64,
    pub done: bool,
    pub position_seconds: Option<f64>,
    pub watched: Vec<PlayedInterval>,
}

fn parse_report(r: ProgressRequest) -> ApiResult<Report> {
    match r.read {
        Some(true) if r.played.is_empty() => return Ok(Report::Read),
        Some(_) => {
            return Err(ApiError::invalid_field(
                "read",
                text!(
                    "must be true, and sent without played intervals",
                    "须为 true，且不能与播放区间一同发送"
                ),
            ));
        }
        None => {}
    }
    let played: Vec<Interval> = r
        .played
        .iter()
        .map(|p| Interval {
            start: p.start,
            end: p.end,
        })
        .collect();
    check_intervals(&played).map_err(ApiError::validation)?;
    if let Some(pos) = r.position_seconds
        && !(pos.is_finite() && pos >= 0.0)
    {
        return Err(ApiError::invalid_field(
            "position_seconds",
            text!("must be a number of seconds >= 0", "须为 >= 0 的秒数"),
        ));
    }
    Ok(Report::Played {
        position_seconds: r.position_seconds,
        played,
    })
}

/// Report watching or reading. The union of played intervals counts, capped at the
/// recording's length; the recording is done at the configured share (default 90%).
/// A member reports only for themselves; the CRM's integration token for anyone.
#[utoipa::path(
    tag = "progress",
    params(
        ("material_id" = String, Path, description = "The material's UUID"),
        ("employee_id" = String, Path, description = "The HR system's employee id"),
    ),
    request_body = ProgressRequest,
    responses(
        (status = 200, body = ProgressResponse),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Another person's progress", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown material", body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/materials/{material_id}/progress/{employee_id}")]
pub async fn put_progress(
    caller: Caller,
    db: web::Data<Db>,
    audit: AuditContext,
    rules: web::Data<Rules>,
    path: web::Path<(String, String)>,
    body: Json<ProgressRequest>,
) -> ApiResult<HttpResponse> {
    let employee: EmployeeId = parse_path("employee_id", &path.1)?;
    caller.require_self_or(&employee, PROGRESS_REPORTERS)?;
    let material: MaterialId = parse_path("material_id", &path.0)?;
    let report = parse_report(body.0)?;
    let view = progress::report(&db, material, employee.clone(), report, audit, **rules).await?;
    Ok(HttpResponse::Ok().json(ProgressResponse {
        material_id: material.to_string(),
        employee_id: employee.to_string(),
        watched_seconds: view.watched_seconds,
        duration_seconds: view.duration_seconds,
        share: view.share,
        done: view.done,
        position_seconds: view.position_seconds,
        watched: view
            .intervals
            .iter()
            .map(|i| PlayedInterval {
                start: i.start,
                end: i.end,
            })
            .collect(),
    }))
}
