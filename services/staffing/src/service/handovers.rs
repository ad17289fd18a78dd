//! Handovers: opened when a team member resigns or is terminated, given a successor (at
//! once when HR named one or the leaver's backup is effective, else by a manager),
//! advanced by the progress other services report, completed or cancelled.

use chrono::{Days, NaiveDate};
use continuity_contract::payloads::{HandoverProgressed, TrainingProgressed};
use continuity_contract::{EmployeeId, EmployeeStatus, HandoverId, Reason};
use continuity_shared::audit::{self, AuditContext, Change};
use continuity_shared::db::{Db, DbConnection};
use continuity_shared::events::outbox;
use continuity_shared::pagination::PageRequest;
use continuity_shared::{FieldError, text};

use super::coverage;
use super::errors::{StaffingError, StaffingResult};
use super::{events, teams};
use crate::db::handovers::{self as rows, HandoverFilter};
use crate::db::{employees, projects, team};
use crate::domain::Versioned;
use crate::domain::coverage::DepartmentCoverage;
use crate::domain::employee::Employee;
use crate::domain::handover::{
    Candidate, Handover, HandoverRefusal, PartProgress, ProposalFacts, propose,
};
use crate::settings::Rules;

/// The audit trail's name for handovers.
pub const ENTITY: &str = "handover";

fn candidate(e: &Employee, sessions_done: u32) -> Candidate {
    Candidate {
        employee_id: e.employee_id.clone(),
        department_code: e.department_code.clone(),
        status: e.status,
        hire_date: e.hire_date,
        last_working_day: e.last_working_day,
        sessions_done,
    }
}

/// Opens one handover per active project the leaver is on (or moves the dates of one
/// already open when the last working day changed). `named` is the successor HR named.
pub fn open_for_departure(
    conn: &mut DbConnection,
    leaver: &Employee,
    named: Option<&EmployeeId>,
    ctx: &AuditContext,
    rules: &Rules,
) -> StaffingResult<()> {
    let Some(last_day) = leaver.last_working_day else {
        return Ok(());
    };
    let today = rules.today(ctx.at);
    let open = rows::open_of_leaver(conn, &leaver.employee_id)?;
    let named = match named {
        Some(id) => employees::find(conn, id.as_str())?.map(|e| candidate(&e.value, 0)),
        None => None,
    };
    for place in team::of_employee(conn, &leaver.employee_id)? {
        let place = place.value;
        let Some(project) = projects::find(conn, &place.project_id)? else {
            continue;
        };
        if !project.value.is_active() {
            continue;
        }
        if let Some(old) = open.iter().find(|h| h.value.project_id == place.project_id) {
            move_dates(conn, old.clone(), last_day, today, ctx, rules)?;
            continue;
        }
        let members = team::facts(conn, &place.project_id)?;
        let trained = rows::training_done(conn, &place.project_id)?;
        let colleagues: Vec<Candidate> = employees::active_in(conn, &place.department_code)?
            .iter()
            .map(|e| {
                let done = trained
                    .iter()
                    .find(|(id, _)| id == e.value.employee_id.as_str())
                    .map_or(0, |(_, n)| *n);
                candidate(&e.value, done)
            })
            .collect();
        let (proposed, proposal) = propose(
            &ProposalFacts {
                leaver: &leaver.employee_id,
                department: &place.department_code,
                named_by_hr: named.as_ref(),
                team: &members,
                colleagues: &colleagues,
                today,
            },
            &rules.coverage,
        );
        let handover = Handover {
            handover_id: HandoverId::new(),
            project_id: place.project_id,
            leaver_employee_id: leaver.employee_id.clone(),
            department_code: place.department_code.clone(),
            role: place.role,
            last_working_day: last_day,
            due_date: rules.handover.due_date(last_day, today),
            status: continuity_contract::HandoverStatus::Open,
            proposed_successor: proposed.clone(),
            proposal,
            successor: None,
            training: None,
            acknowledgments: None,
            forced: false,
            closing_reason: None,
        };
        let stored = Versioned {
            value: handover,
            version: 1,
            created_at: ctx.at,
            updated_at: ctx.at,
        };
        rows::insert(conn, &stored)?;
        outbox::publish(conn, &[events::handover_opened(&stored.value, ctx.at)?])?;
        audit::record(
            conn,
            ctx,
            Change::created(ENTITY, stored.value.handover_id.to_string(), &stored.value)?,
        )?;
        if let Some(successor) = proposed.filter(|_| proposal.assigns_at_once()) {
            assign_in(conn, stored, successor, ctx, rules)?;
        }
    }
    Ok(())
}

/// A new last working day for an open handover (a termination after a resignation).
fn move_dates(
    conn: &mut DbConnection,
    old: Versioned<Handover>,
    last_day: NaiveDate,
    today: NaiveDate,
    ctx: &AuditContext,
    rules: &Rules,
) -> StaffingResult<()> {
    if old.value.last_working_day == last_day {
        return Ok(());
    }
    let mut h = old.value.clone();
    h.last_working_day = last_day;
    h.due_date = rules.handover.due_date(last_day, today);
    save(conn, &old, h, ctx).map(|_| ())
}

/// Writes a changed handover with its next version and its audit entry.
fn save(
    conn: &mut DbConnection,
    old: &Versioned<Handover>,
    new: Handover,
    ctx: &AuditContext,
) -> StaffingResult<Versioned<Handover>> {
    let change = Change::updated(ENTITY, new.handover_id.to_string(), &old.value, &new)?;
    let stored = Versioned {
        value: new,
        version: old.version + 1,
        created_at: old.created_at,
        updated_at: ctx.at,
    };
    if !rows::update(conn, &stored, ctx.at.naive_utc())? {
        return Err(StaffingError::ConcurrentChange);
    }
    audit::record(conn, ctx, change)?;
    Ok(stored)
}

/// Cancels the leaver's open handovers: the resignation was rescinded.
pub fn cancel_for(
    conn: &mut DbConnection,
    leaver: &EmployeeId,
    ctx: &AuditContext,
) -> StaffingResult<()> {
    let reason = "resignation rescinded";
    for old in rows::open_of_leaver(conn, leaver)? {
        let mut h = old.value.clone();
        if h.cancel(reason) {
            let stored = save(conn, &old, h, ctx)?;
            let reason = Reason::parse(reason).map_err(continuity_shared::ApiError::internal)?;
            outbox::publish(
                conn,
                &[events::handover_cancelled(&stored.value, reason, ctx.at)?],
            )?;
        }
    }
    Ok(())
}

/// Assigns a successor: publishes `handover.successor_assigned` and puts the successor on
/// the team in the leaver's department and role.
fn assign_in(
    conn: &mut DbConnection,
    old: Versioned<Handover>,
    successor: EmployeeId,
    ctx: &AuditContext,
    rules: &Rules,
) -> StaffingResult<Versioned<Handover>> {
    let mut h = old.value.clone();
    h.assign(successor.clone())
        .map_err(StaffingError::Handover)?;
    let stored = save(conn, &old, h, ctx)?;
    if let Some(event) = events::handover_successor_assigned(&stored.value, ctx.at)? {
        outbox::publish(conn, &[event])?;
    }
    let v = &stored.value;
    let existing = team::find(conn, &v.project_id, &successor)?;
    teams::place_in(
        conn,
        existing,
        v.project_id,
        successor,
        v.department_code.clone(),
        v.role,
        None,
        ctx,
        rules,
    )?;
    Ok(stored)
}

/// A manager assigns (or changes) the successor: an active employee other than the leaver.
pub async fn assign(
    db: &Db,
    id: HandoverId,
    successor: EmployeeId,
    ctx: AuditContext,
    rules: Rules,
) -> StaffingResult<Versioned<Handover>> {
    db.write(move |conn| {
        let old = rows::find(conn, &id)?.ok_or(StaffingError::HandoverNotFound(id))?;
        let person = employees::find(conn, successor.as_str())?;
        let refused = match &person {
            None => Some(text!(
                "employee `{successor}` does not exist",
                "员工 `{successor}` 不存在"
            )),
            Some(p) if p.value.status != EmployeeStatus::Active => {
                let status = p.value.status;
                Some(text!(
                    "`{successor}` is {status} and cannot take over",
                    "`{successor}` 状态为 {status}，不能接任"
                ))
            }
            Some(_) if successor == old.value.leaver_employee_id => Some(text!(
                "the leaver cannot succeed themselves",
                "离职者不能接任自己"
            )),
            Some(_) => None,
        };
        if let Some(message) = refused {
            return Err(StaffingError::Invalid(vec![FieldError::new(
                "employee_id",
                message,
            )]));
        }
        if old.value.status.is_closed() {
            return Err(StaffingError::Handover(HandoverRefusal::Closed(
                old.value.status,
            )));
        }
        assign_in(conn, old, successor, &ctx, &rules)
    })
    .await
}

/// Completes a handover; `forced` (a manager's reason) completes it with parts left.
pub async fn complete(
    db: &Db,
    id: HandoverId,
    forced: Option<String>,
    ctx: AuditContext,
) -> StaffingResult<Versioned<Handover>> {
    db.write(move |conn| {
        let old = rows::find(conn, &id)?.ok_or(StaffingError::HandoverNotFound(id))?;
        let mut h = old.value.clone();
        h.complete(forced).map_err(StaffingError::Handover)?;
        let stored = save(conn, &old, h, &ctx)?;
        outbox::publish(conn, &[events::handover_completed(&stored.value, ctx.at)?])?;
        Ok(stored)
    })
    .await
}

/// Records a part's progress as its service reported it (inside the inbox's transaction).
pub fn progressed_in(
    conn: &mut DbConnection,
    report: &HandoverProgressed,
    ctx: &AuditContext,
) -> StaffingResult<()> {
    let Some(old) = rows::find(conn, &report.handover_id)? else {
        // A report on a handover this service never opened: nothing to advance.
        return Ok(());
    };
    let mut h = old.value.clone();
    let progress = PartProgress {
        done: report.done,
        required: report.required,
    };
    if h.progress(report.part, progress) {
        save(conn, &old, h, ctx)?;
    }
    Ok(())
}

/// Records how much of a project's training someone has done.
pub fn training_in(
    conn: &mut DbConnection,
    report: &TrainingProgressed,
    ctx: &AuditContext,
) -> StaffingResult<()> {
    rows::save_training(
        conn,
        &report.project_id,
        &report.employee_id,
        (report.sessions_done, report.sessions_required),
        ctx.at.naive_utc(),
    )?;
    Ok(())
}

/// A handover with the coverage of its department once the leaver has gone.
pub struct HandoverView {
    pub handover: Versioned<Handover>,
    pub coverage_after: Option<(NaiveDate, DepartmentCoverage)>,
}

pub async fn get(db: &Db, id: HandoverId, rules: Rules) -> StaffingResult<HandoverView> {
    db.read(move |conn| {
        let handover = rows::find(conn, &id)?.ok_or(StaffingError::HandoverNotFound(id))?;
        let h = &handover.value;
        let after = h.last_working_day.checked_add_days(Days::new(1));
        let coverage_after = match (projects::find(conn, &h.project_id)?, after) {
            (Some(project), Some(day)) => coverage::compute(conn, &project.value, day, &rules)?
                .department(&h.department_code)
                .cloned()
                .map(|d| (day, d)),
            _ => None,
        };
        Ok(HandoverView {
            handover,
            coverage_after,
        })
    })
    .await
}

pub async fn list(
    db: &Db,
    filter: HandoverFilter,
    page: PageRequest,
) -> StaffingResult<Vec<Versioned<Handover>>> {
    db.read(move |conn| Ok(rows::list(conn, &filter, &page)?))
        .await
}
