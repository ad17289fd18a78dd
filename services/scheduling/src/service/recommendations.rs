//! `POST /v1/projects/{id}/schedule/recommendations`: every first of the month between the
//! earliest start and the latest go-live, scored and ranked (broken rules first, then the
//! breach probability, then expected departures).

use chrono::{Datelike, Months, NaiveDate};
use continuity_contract::ProjectId;
use continuity_shared::db::Db;
use continuity_shared::{FieldError, text};

use super::scoring::{Scored, Scoring, ScoringSettings};
use super::{SchError, SchResult};
use crate::domain::window::Plan;

/// The most candidates one request scores.
pub const MAX_CANDIDATES: usize = 120;

#[derive(Debug, Clone, Copy)]
pub struct WindowRequest {
    pub earliest_start: NaiveDate,
    pub latest_go_live: NaiveDate,
    pub implementation_months: u32,
    pub stabilization_months: u32,
}

pub struct Recommendation {
    pub scoring: Scoring,
    pub candidates: Vec<Scored>,
}

/// Every first of the month from `earliest_start` whose go-live is no later than
/// `latest_go_live`.
pub fn candidate_plans(r: &WindowRequest) -> Vec<Plan> {
    let first = if r.earliest_start.day() == 1 {
        Some(r.earliest_start)
    } else {
        r.earliest_start
            .with_day(1)
            .and_then(|d| d.checked_add_months(Months::new(1)))
    };
    let mut out = Vec::new();
    let mut start = first;
    while let Some(s) = start {
        match Plan::new(s, r.implementation_months, r.stabilization_months) {
            Some(p) if p.go_live <= r.latest_go_live && out.len() < MAX_CANDIDATES => out.push(p),
            _ => break,
        }
        start = s.checked_add_months(Months::new(1));
    }
    out
}

/// Ranks in place: fewer broken rules, then lower probability, then fewer departures.
pub fn rank(candidates: &mut [Scored]) {
    candidates.sort_by(|a, b| {
        a.broken()
            .cmp(&b.broken())
            .then(a.estimate.probability.total_cmp(&b.estimate.probability))
            .then(a.expected_departures.total_cmp(&b.expected_departures))
            .then(a.plan.start.cmp(&b.plan.start))
    });
}

/// Scores the plans on every core: each candidate's draws are seeded by its own dates, so
/// the answer does not depend on how they are shared out.
fn score_all(scoring: &Scoring, plans: Vec<Plan>) -> SchResult<Vec<Scored>> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_thread = plans.len().div_ceil(cores).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = plans
            .chunks(per_thread)
            .map(|chunk| {
                scope.spawn(move || chunk.iter().map(|p| scoring.score(*p)).collect::<Vec<_>>())
            })
            .collect();
        let mut all = Vec::with_capacity(plans.len());
        for part in parts {
            // Only a bug panics a scoring thread: answer 500 rather than a partial ranking.
            all.extend(part.join().map_err(|_| {
                SchError::Platform(continuity_shared::ApiError::internal(
                    "a scoring thread panicked",
                ))
            })?);
        }
        Ok(all)
    })
}

pub async fn recommend(
    db: &Db,
    project: ProjectId,
    r: WindowRequest,
    settings: ScoringSettings,
    today: NaiveDate,
) -> SchResult<Recommendation> {
    let plans = candidate_plans(&r);
    let (Some(first), Some(last)) = (plans.first(), plans.last()) else {
        return Err(SchError::Invalid(vec![FieldError::new(
            "latest_go_live",
            text!(
                "leaves no room for an implementation starting on a first of the month on or after the earliest start",
                "在最早开始日期之后，没有可在每月 1 日开始并按时上线的方案"
            ),
        )]));
    };
    let (from, to) = (first.start, last.stabilization_end);
    db.read(move |conn| {
        let scoring = Scoring::load(conn, project, from, to, settings, today)?;
        let mut candidates = score_all(&scoring, plans)?;
        rank(&mut candidates);
        Ok(Recommendation {
            scoring,
            candidates,
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn candidates_start_on_every_first_of_the_month_and_go_live_in_time() {
        let plans = candidate_plans(&WindowRequest {
            earliest_start: d("2027-01-15"),
            latest_go_live: d("2027-09-01"),
            implementation_months: 4,
            stabilization_months: 3,
        });
        let starts: Vec<String> = plans.iter().map(|p| p.start.to_string()).collect();
        assert_eq!(
            starts,
            ["2027-02-01", "2027-03-01", "2027-04-01", "2027-05-01"]
        );
        assert_eq!(plans[3].go_live, d("2027-09-01"));
        assert_eq!(plans[3].stabilization_end, d("2027-11-30"));
    }
}
