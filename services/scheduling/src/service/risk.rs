//! A project's planned dates scored like a candidate, with a level; re-scored in the
//! roster event's transaction when its team, a member or its dates change, publishing
//! `schedule.risk_changed` when the level moves.

use chrono::{Months, NaiveDate};
use continuity_contract::payloads::ScheduleRiskChanged;
use continuity_contract::{ProjectId, Reason, RiskLevel};
use continuity_shared::audit::{self, AuditContext, Change};
use continuity_shared::db::{Db, DbConnection};
use continuity_shared::events::{CloudEvent, outbox};
use continuity_shared::roster::{CopiedProject, read};
use serde::Serialize;

use super::scoring::{Scored, Scoring, ScoringSettings};
use super::{SOURCE, SchError, SchResult};
use crate::db::risk as rows;
use crate::domain::risk::level;
use crate::domain::window::Plan;

/// The audit trail's name for a project's risk level.
pub const ENTITY: &str = "project_risk";

pub struct Assessment {
    pub scoring: Scoring,
    pub scored: Scored,
    pub level: RiskLevel,
}

/// The project's plan: planned start to planned go-live, then its stabilization months.
fn planned(p: &CopiedProject) -> Option<Plan> {
    let (start, go_live) = (p.planned_start?, p.planned_go_live?);
    let end = go_live
        .checked_add_months(Months::new(p.stabilization_months))?
        .pred_opt()?
        .max(go_live);
    (start <= go_live).then_some(Plan {
        start,
        go_live,
        stabilization_end: end,
    })
}

/// Scores the planned dates; `None` when the project has none (or they are out of order).
pub fn assess_in(
    conn: &mut DbConnection,
    project: ProjectId,
    settings: ScoringSettings,
    today: NaiveDate,
) -> SchResult<Option<Assessment>> {
    let copied = read::project(conn, &project)?.ok_or(SchError::ProjectNotFound(project))?;
    let Some(plan) = planned(&copied) else {
        return Ok(None);
    };
    let scoring = Scoring::load(
        conn,
        project,
        plan.start,
        plan.stabilization_end,
        settings,
        today,
    )?;
    let scored = scoring.score(plan);
    let level = level(scored.estimate.probability, scored.broken());
    Ok(Some(Assessment {
        scoring,
        scored,
        level,
    }))
}

pub async fn assess(
    db: &Db,
    project: ProjectId,
    settings: ScoringSettings,
    today: NaiveDate,
) -> SchResult<Option<Assessment>> {
    db.read(move |conn| assess_in(conn, project, settings, today))
        .await
}

#[derive(Serialize)]
struct Stored {
    level: RiskLevel,
    breach_probability: f64,
}

/// Re-scores `project` and, when its level changed, stores it and publishes the change.
pub fn rescore_in(
    conn: &mut DbConnection,
    project: ProjectId,
    settings: ScoringSettings,
    today: NaiveDate,
    ctx: &AuditContext,
) -> SchResult<()> {
    let a = match assess_in(conn, project, settings, today) {
        Ok(Some(a)) => a,
        // Not scorable (yet): no planned dates, the project not copied, dates out of range.
        // Refusing the event would only make the producer send it again.
        Ok(None) | Err(SchError::ProjectNotFound(_) | SchError::Invalid(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    let old = rows::level(conn, &project)?;
    if old == Some(a.level) {
        return Ok(());
    }
    let p = a.scored.estimate.probability;
    rows::put(conn, &project, a.level, p, ctx.at.naive_utc())?;
    let reasons = a
        .scored
        .reasons()
        .iter()
        .filter_map(|t| Reason::parse(&t.en).ok())
        .take(20)
        .collect();
    let event = ScheduleRiskChanged {
        project_id: project,
        old_level: old,
        new_level: a.level,
        breach_probability: p,
        reasons,
    };
    outbox::publish(conn, &[CloudEvent::new(SOURCE, &event, ctx.at)?])?;
    let new = Stored {
        level: a.level,
        breach_probability: p,
    };
    let change = match old {
        None => Change::created(ENTITY, project.to_string(), &new)?,
        Some(level) => Change::updated(
            ENTITY,
            project.to_string(),
            &serde_json::json!({ "level": level }),
            &new,
        )?,
    };
    audit::record(conn, ctx, change)?;
    Ok(())
}
