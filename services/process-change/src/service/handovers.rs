//! The successor's part of a handover: a pending acknowledgment for every current notice of
//! the handover's department, and `handover.progressed` (part `acknowledgments`) to
//! staffing whenever the count changes, until the handover is cancelled or completed.

use chrono::{DateTime, Utc};
use continuity_contract::payloads::{HandoverProgressed, HandoverSuccessorAssigned};
use continuity_contract::{EmployeeId, HandoverId, HandoverPart};
use continuity_shared::audit::AuditContext;
use continuity_shared::db::DbConnection;
use continuity_shared::events::{CloudEvent, outbox};

use super::SOURCE;
use super::errors::PcResult;
use crate::db::handovers::{self as tracked, Tracked};
use crate::db::{acknowledgments as acks, notices};
use crate::domain::acknowledgment::progress;

/// A successor was assigned: track the handover, ask the successor to acknowledge every
/// current notice of the department (a repeat adds nothing), and report at once.
pub fn successor_assigned_in(
    conn: &mut DbConnection,
    event: &HandoverSuccessorAssigned,
    ctx: &AuditContext,
) -> PcResult<()> {
    let at = ctx.at.naive_utc();
    let tracking = tracked::track(
        conn,
        &event.handover_id,
        &event.project_id.to_string(),
        &event.department_code,
        &event.successor_employee_id,
        at,
    )?;
    if !tracking {
        return Ok(());
    }
    let wanted: Vec<_> = notices::current_of_department(conn, &event.department_code)?
        .into_iter()
        .map(|(notice, _)| {
            (
                notice,
                event.successor_employee_id.clone(),
                event.department_code.clone(),
            )
        })
        .collect();
    acks::add_pending(conn, &wanted, at)?;
    report_for(conn, &event.successor_employee_id, ctx.at)
}

/// The handover is over (cancelled or completed): no more reports.
pub fn stopped_in(
    conn: &mut DbConnection,
    handover: &HandoverId,
    project: &str,
    at: DateTime<Utc>,
) -> PcResult<()> {
    Ok(tracked::stop(conn, handover, project, at.naive_utc())?)
}

/// The successor's acknowledgments of the current notices of the handover's department.
fn progress_of(conn: &mut DbConnection, t: &Tracked) -> PcResult<(u32, u32)> {
    let current: Vec<_> = notices::current_of_department(conn, &t.department_code)?
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let mine = acks::of_employee_for(conn, &t.successor, &current)?;
    Ok(progress(mine.iter().map(|a| a.status)))
}

/// Reports every active handover of `employee` whose count changed (or was never sent).
pub fn report_for(
    conn: &mut DbConnection,
    employee: &EmployeeId,
    at: DateTime<Utc>,
) -> PcResult<()> {
    let handovers = tracked::active_of(conn, employee)?;
    report(conn, &handovers, at)
}

/// Reports every active handover whose successor is one of `employees`.
pub fn report_for_all(
    conn: &mut DbConnection,
    employees: &[EmployeeId],
    at: DateTime<Utc>,
) -> PcResult<()> {
    for e in employees {
        report_for(conn, e, at)?;
    }
    Ok(())
}

/// The successors of active handovers in a department.
pub fn successors_in(
    conn: &mut DbConnection,
    department: &continuity_contract::DepartmentCode,
) -> PcResult<Vec<Tracked>> {
    Ok(tracked::active_in(conn, department)?)
}

fn report(conn: &mut DbConnection, handovers: &[Tracked], at: DateTime<Utc>) -> PcResult<()> {
    let mut events = Vec::new();
    for t in handovers {
        let (done, required) = progress_of(conn, t)?;
        if t.reported == Some((done, required)) {
            continue;
        }
        tracked::set_reported(conn, &t.handover_id, done, required)?;
        events.push(CloudEvent::new(
            SOURCE,
            &HandoverProgressed {
                handover_id: t.handover_id,
                part: HandoverPart::Acknowledgments,
                done,
                required,
            },
            at,
        )?);
    }
    if !events.is_empty() {
        outbox::publish(conn, &events)?;
    }
    Ok(())
}
