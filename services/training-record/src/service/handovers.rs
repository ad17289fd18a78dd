//! What staffing's handover events do here: a successor gets a fixed catch-up plan, which
//! is reported at once and on every change; a cancelled or completed handover stops it.

use chrono::Days;
use continuity_contract::HandoverId;
use continuity_contract::payloads::HandoverSuccessorAssigned;
use continuity_shared::audit::{self, AuditContext, Change};
use continuity_shared::db::DbConnection;

use super::catchup;
use super::errors::TrainingResult;
use crate::db::plans::{self, StoredPlan};
use crate::settings::Rules;

/// The audit trail's name for catch-up plans.
pub const ENTITY: &str = "catchup_plan";

#[derive(serde::Serialize)]
struct PlanView<'a> {
    project_id: String,
    employee_id: &'a str,
    department_code: &'a str,
    due_date: chrono::NaiveDate,
    active: bool,
}

fn view(p: &StoredPlan) -> PlanView<'_> {
    PlanView {
        project_id: p.project_id.to_string(),
        employee_id: p.employee_id.as_str(),
        department_code: p.department_code.as_str(),
        due_date: p.due_date,
        active: p.active,
    }
}

/// Fixes the successor's plan: the handover's due date, or `catchup_days` from today when
/// that date has passed. A later assignment of the same handover replaces the successor.
pub fn successor_assigned_in(
    conn: &mut DbConnection,
    event: &HandoverSuccessorAssigned,
    ctx: &AuditContext,
    rules: &Rules,
) -> TrainingResult<()> {
    let today = rules.today(ctx.at);
    let due = if event.due_date < today {
        today
            .checked_add_days(Days::new(u64::from(rules.catchup_days)))
            .unwrap_or(today)
    } else {
        event.due_date
    };
    let old = plans::find(conn, &event.handover_id)?;
    let plan = StoredPlan {
        handover_id: event.handover_id,
        project_id: event.project_id,
        employee_id: event.successor_employee_id.clone(),
        department_code: event.department_code.clone(),
        due_date: due,
        active: true,
        reported: None,
        overdue_reported: false,
    };
    if old.as_ref() == Some(&plan) {
        return Ok(());
    }
    plans::put(conn, &plan, ctx.at.naive_utc())?;
    let change = match &old {
        None => Change::created(ENTITY, plan.handover_id.to_string(), &view(&plan))?,
        Some(o) => Change::updated(ENTITY, plan.handover_id.to_string(), &view(o), &view(&plan))?,
    };
    audit::record(conn, ctx, change)?;
    catchup::refresh_in(conn, &plan.project_id, &plan.employee_id, ctx)
}

/// A cancelled or completed handover: its plan is no longer reported on.
pub fn stopped_in(
    conn: &mut DbConnection,
    handover: &HandoverId,
    ctx: &AuditContext,
) -> TrainingResult<()> {
    let Some(old) = plans::find(conn, handover)? else {
        return Ok(());
    };
    if !old.active {
        return Ok(());
    }
    let new = StoredPlan {
        active: false,
        ..old.clone()
    };
    plans::put(conn, &new, ctx.at.naive_utc())?;
    audit::record(
        conn,
        ctx,
        Change::updated(ENTITY, handover.to_string(), &view(&old), &view(&new))?,
    )?;
    Ok(())
}
