//! `GET /v1/projects/{project_id}/risk`

use actix_web::{HttpRequest, HttpResponse, get, web};
use continuity_contract::{ProjectId, RiskLevel};
use continuity_shared::auth::Caller;
use continuity_shared::clock::Clock;
use continuity_shared::db::Db;
use continuity_shared::http::docs::Problem;
use continuity_shared::i18n::Lang;
use continuity_shared::ids::parse_path;
use continuity_shared::{ApiError, ApiResult, text};
use serde::Serialize;
use utoipa::ToSchema;

use super::READERS;
use super::recommendations::{
    CandidateResponse, PeakDatesResponse, assumptions, peaks, settings_for,
};
use crate::domain::periods::Basis;
use crate::domain::risk::{HIGH_FROM, MEDIUM_FROM};
use crate::service::risk;
use crate::settings::SchedulingSettings;

#[derive(Debug, Serialize, ToSchema)]
pub struct RiskResponse {
    pub project_id: ProjectId,
    /// `high`: breach probability ≥ 30% or two or more rules broken; `medium`: ≥ 10% or
    /// one rule broken; else `low`.
    pub level: RiskLevel,
    pub thresholds: String,
    pub basis: Basis,
    /// The planned dates scored as a candidate (its `rank` is 1).
    pub plan: CandidateResponse,
    pub resignation_peaks: Vec<PeakDatesResponse>,
    pub assumptions: Vec<String>,
}

/// The project's planned dates (planned start, planned go-live, then its stabilization
/// months) scored like a recommendation candidate, with a level. Scheduling re-scores it
/// whenever a departure or a team change arrives and publishes `schedule.risk_changed`
/// when the level moves.
#[utoipa::path(
    tag = "schedule",
    params(("project_id" = String, Path, description = "The project's UUID")),
    responses(
        (status = 200, body = RiskResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The project is not in the roster copy", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The project has no planned start and go-live yet", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed project id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/projects/{project_id}/risk")]
pub async fn get_risk(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    clock: web::Data<Clock>,
    settings: web::Data<SchedulingSettings>,
    project: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let project: ProjectId = parse_path("project_id", &project)?;
    let settings = settings_for(&settings, None);
    let a = risk::assess(&db, project, settings, clock.today())
        .await?
        .ok_or_else(|| {
            ApiError::conflict(text!(
                "Project `{project}` has no planned start and go-live (in order) to score.",
                "项目 `{project}` 没有可评估的计划开始与上线日期（且须先后有序）。"
            ))
        })?;
    let lang = Lang::of(&req);
    let (m, h) = (MEDIUM_FROM * 100.0, HIGH_FROM * 100.0);
    let thresholds = text!(
        "high: breach probability at least {h}% or two or more rules broken; medium: at least {m}% or one rule broken; otherwise low.",
        "高：缺员概率不低于 {h}% 或违反两条及以上规则；中：不低于 {m}% 或违反一条规则；否则为低。"
    );
    Ok(HttpResponse::Ok().json(RiskResponse {
        project_id: project,
        level: a.level,
        thresholds: thresholds.get(lang).to_owned(),
        basis: a.scoring.basis,
        plan: CandidateResponse::new(1, &a.scored, lang),
        resignation_peaks: peaks(&a.scoring.departure_peaks, lang),
        assumptions: assumptions(&a.scoring, lang),
    }))
}
