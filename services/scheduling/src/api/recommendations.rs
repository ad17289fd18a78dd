//! `POST /v1/projects/{project_id}/schedule/recommendations`

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{Datelike, NaiveDate};
use continuity_contract::{EmployeeId, ProjectId};
use continuity_shared::auth::Caller;
use continuity_shared::clock::Clock;
use continuity_shared::db::Db;
use continuity_shared::http::Json;
use continuity_shared::http::docs::Problem;
use continuity_shared::i18n::Lang;
use continuity_shared::ids::parse_path;
use continuity_shared::{ApiError, ApiResult, FieldError, text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::READERS;
use crate::domain::periods::Basis;
use crate::domain::window::{PeakDates, Rule};
use crate::service::recommendations::{self, WindowRequest};
use crate::service::scoring::{Scored, Scoring, ScoringSettings};
use crate::settings::SchedulingSettings;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendationRequest {
    #[serde(with = "continuity_contract::date::bounded")]
    pub earliest_start: NaiveDate,
    #[serde(with = "continuity_contract::date::bounded")]
    pub latest_go_live: NaiveDate,
    /// 1 to 36.
    pub implementation_months: u32,
    /// 0 to 12; default 3.
    pub stabilization_months: Option<u32>,
    /// 0 to 365; default the company's setting (90).
    pub settling_in_days: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleResponse {
    pub rule: Rule,
    pub met: bool,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnsettledMember {
    pub employee_id: EmployeeId,
    pub hire_date: NaiveDate,
    pub settled_on: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateResponse {
    /// 1 = best.
    pub rank: usize,
    pub start: NaiveDate,
    pub go_live: NaiveDate,
    /// Last day of the stabilization period.
    pub stabilization_end: NaiveDate,
    pub rules: Vec<RuleResponse>,
    pub broken_rules: usize,
    /// Team members still settling in at the start.
    pub unsettled_members: Vec<UnsettledMember>,
    /// Expected departures from the team from start to the end of stabilization.
    pub expected_departures: f64,
    /// Probability that some key department has fewer effective members than its
    /// minimum on some day of that span.
    pub breach_probability: f64,
    pub standard_error: f64,
    pub draws: u32,
    pub reasons: Vec<String>,
}

impl CandidateResponse {
    pub fn new(rank: usize, c: &Scored, lang: Lang) -> Self {
        Self {
            rank,
            start: c.plan.start,
            go_live: c.plan.go_live,
            stabilization_end: c.plan.stabilization_end,
            rules: c
                .rules
                .iter()
                .map(|r| RuleResponse {
                    rule: r.rule,
                    met: r.met,
                    reason: r.reason.get(lang).to_owned(),
                })
                .collect(),
            broken_rules: c.broken(),
            unsettled_members: c
                .unsettled
                .iter()
                .map(|u| UnsettledMember {
                    employee_id: u.employee_id.clone(),
                    hire_date: u.hire_date,
                    settled_on: u.settled_on,
                })
                .collect(),
            expected_departures: c.expected_departures,
            breach_probability: c.estimate.probability,
            standard_error: c.estimate.standard_error,
            draws: c.estimate.draws,
            reasons: c.reasons().iter().map(|t| t.get(lang).to_owned()).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeakDatesResponse {
    pub label: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

pub fn peaks(p: &[PeakDates], lang: Lang) -> Vec<PeakDatesResponse> {
    p.iter()
        .map(|p| PeakDatesResponse {
            label: if lang == Lang::ZhCn {
                p.label.1.clone()
            } else {
                p.label.0.clone()
            },
            from: p.from,
            to: p.to,
        })
        .collect()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecommendationResponse {
    /// Names this request (its dates and lengths): `GET
    /// /v1/projects/{project_id}/schedule/recommendations/{id}.svg` draws it.
    pub id: String,
    pub project_id: ProjectId,
    /// The basis the peaks come from: the one that explains the history better.
    pub basis: Basis,
    pub resignation_peaks: Vec<PeakDatesResponse>,
    pub hiring_peaks: Vec<PeakDatesResponse>,
    pub settling_in_days: u32,
    pub hiring_delay_days: u32,
    /// Ranked: broken rules first, then breach probability, then expected departures.
    pub candidates: Vec<CandidateResponse>,
    pub assumptions: Vec<String>,
}

/// The id of a recommendation: the request's dates and lengths, with the defaults filled
/// in, so the same id always asks the same question (and needs nothing stored).
pub fn recommendation_id(w: &WindowRequest, settling_in_days: u32) -> String {
    format!(
        "{}_{}_{}_{}_{}",
        w.earliest_start,
        w.latest_go_live,
        w.implementation_months,
        w.stabilization_months,
        settling_in_days
    )
}

pub fn settings_for(s: &SchedulingSettings, settling_in_days: Option<u32>) -> ScoringSettings {
    ScoringSettings {
        settling_in_days: settling_in_days.unwrap_or(s.settling_in_days),
        hiring_delay_days: s.hiring_delay_days,
        draws: s.monte_carlo_draws,
    }
}

pub fn assumptions(s: &Scoring, lang: Lang) -> Vec<String> {
    s.assumptions()
        .iter()
        .map(|t| t.get(lang).to_owned())
        .collect()
}

impl RecommendationRequest {
    /// The request a recommendation id names (see [`recommendation_id`]); `None` when it
    /// is not one.
    pub fn from_id(id: &str) -> Option<Self> {
        let mut parts = id.split('_');
        let mut next = || parts.next();
        let request = Self {
            earliest_start: continuity_contract::date::parse(next()?).ok()?,
            latest_go_live: continuity_contract::date::parse(next()?).ok()?,
            implementation_months: next()?.parse().ok()?,
            stabilization_months: Some(next()?.parse().ok()?),
            settling_in_days: Some(next()?.parse().ok()?),
        };
        next().is_none().then_some(request)
    }

    pub(crate) fn parse(self) -> ApiResult<(WindowRequest, Option<u32>)> {
        let mut errors = Vec::new();
        if !(1..=36).contains(&self.implementation_months) {
            errors.push(FieldError::new(
                "implementation_months",
                text!("must be from 1 to 36", "须在 1 到 36 之间"),
            ));
        }
        let stabilization = self.stabilization_months.unwrap_or(3);
        if stabilization > 12 {
            errors.push(FieldError::new(
                "stabilization_months",
                text!("must be from 0 to 12", "须在 0 到 12 之间"),
            ));
        }
        if self.settling_in_days.is_some_and(|d| d > 365) {
            errors.push(FieldError::new(
                "settling_in_days",
                text!("must be from 0 to 365", "须在 0 到 365 之间"),
            ));
        }
        if self.latest_go_live < self.earliest_start {
            errors.push(FieldError::new(
                "latest_go_live",
                text!(
                    "must not be before earliest_start",
                    "不得早于 earliest_start"
                ),
            ));
        } else if (self.latest_go_live - self.earliest_start).num_days() > 3_660 {
            errors.push(FieldError::new(
                "latest_go_live",
                text!(
                    "must be within ten years of earliest_start",
                    "须在 earliest_start 之后十年内"
                ),
            ));
        }
        if self.earliest_start.year() < 1902 || self.latest_go_live.year() > 2095 {
            errors.push(FieldError::new(
                "earliest_start",
                text!(
                    "dates must lie between 1902 and 2095",
                    "日期须在 1902 至 2095 年之间"
                ),
            ));
        }
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        Ok((
            WindowRequest {
                earliest_start: self.earliest_start,
                latest_go_live: self.latest_go_live,
                implementation_months: self.implementation_months,
                stabilization_months: stabilization,
            },
            self.settling_in_days,
        ))
    }
}

/// Candidate start dates for the project's implementation (every first of the month from
/// `earliest_start` whose go-live is no later than `latest_go_live`), each checked against
/// the three rules (the implementation avoids resignation peaks; the start is not within the
/// settling-in time after a hiring peak; the stabilization ends before the next peak) and
/// scored on the project's real team: expected departures and the probability that a key
/// department falls below its minimum (seeded Monte Carlo: the same request gives the same
/// answer). Reasons follow `Accept-Language`.
#[utoipa::path(
    tag = "schedule",
    params(("project_id" = String, Path, description = "The project's UUID")),
    request_body = RecommendationRequest,
    responses(
        (status = 200, body = RecommendationResponse),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The project is not in the roster copy", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed project id or invalid field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/projects/{project_id}/schedule/recommendations")]
pub async fn recommend(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    clock: web::Data<Clock>,
    settings: web::Data<SchedulingSettings>,
    project: web::Path<String>,
    body: Json<RecommendationRequest>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let project: ProjectId = parse_path("project_id", &project)?;
    let (window, settling_in) = body.0.parse()?;
    let settings = settings_for(&settings, settling_in);
    let r = recommendations::recommend(&db, project, window, settings, clock.today()).await?;
    let lang = Lang::of(&req);
    let s = &r.scoring;
    Ok(HttpResponse::Ok().json(RecommendationResponse {
        id: recommendation_id(&window, s.settings.settling_in_days),
        project_id: project,
        basis: s.basis,
        resignation_peaks: peaks(&s.departure_peaks, lang),
        hiring_peaks: peaks(&s.hiring_peaks, lang),
        settling_in_days: s.settings.settling_in_days,
        hiring_delay_days: s.settings.hiring_delay_days,
        candidates: r
            .candidates
            .iter()
            .enumerate()
            .map(|(i, c)| CandidateResponse::new(i + 1, c, lang))
            .collect(),
        assumptions: assumptions(s, lang),
    }))
}
