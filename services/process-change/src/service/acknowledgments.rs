//! Acknowledging a notice, reading who has and who has not, and what a person still has to
//! read; and what the roster's changes mean for acknowledgments.

use chrono::{DateTime, Utc};
use continuity_contract::{EmployeeId, EmployeeStatus, NoticeId};
use continuity_shared::audit::{self, AuditContext, Change};
use continuity_shared::db::{Db, DbConnection};
use continuity_shared::roster::CopiedEmployee;
use serde::Serialize;

use super::errors::{PcError, PcResult};
use super::handovers;
use crate::db::acknowledgments::{self as acks, Ack, PendingAck};
use crate::db::notices;
use crate::domain::acknowledgment::AckStatus;
use crate::domain::notice::NoticeStatus;

/// The audit trail's name for acknowledgments (`{notice_id}/{employee_id}`).
pub const ENTITY: &str = "acknowledgment";

#[derive(Serialize)]
struct Audited<'a> {
    status: &'a str,
}

/// Acknowledges a notice for `employee`; a repeat changes nothing. Returns the
/// acknowledgment and whether this call made it.
pub async fn acknowledge(
    db: &Db,
    notice: NoticeId,
    employee: EmployeeId,
    ctx: AuditContext,
) -> PcResult<(Ack, bool)> {
    db.write(move |conn| {
        let n = notices::find(conn, &notice)?.ok_or(PcError::NoticeNotFound(notice))?;
        if n.value.status != NoticeStatus::Published {
            return Err(PcError::NoticeNotPublished(notice));
        }
        let ack = acks::find(conn, &notice, &employee)?
            .ok_or_else(|| PcError::NotAsked(notice, employee.clone()))?;
        match ack.status {
            AckStatus::Acknowledged => return Ok((ack, false)),
            AckStatus::NotRequired => return Err(PcError::NotRequired(notice, employee)),
            AckStatus::Pending => {}
        }
        let by = ctx.actor.as_str().to_owned();
        acks::acknowledge(conn, &notice, &employee, ctx.at.naive_utc(), &by)?;
        audit::record(
            conn,
            &ctx,
            Change::updated(
                ENTITY,
                format!("{notice}/{employee}"),
                &Audited {
                    status: AckStatus::Pending.as_str(),
                },
                &Audited {
                    status: AckStatus::Acknowledged.as_str(),
                },
            )?,
        )?;
        handovers::report_for(conn, &employee, ctx.at)?;
        let done = acks::find(conn, &notice, &employee)?
            .ok_or_else(|| PcError::NotAsked(notice, employee.clone()))?;
        Ok((done, true))
    })
    .await
}

/// Every acknowledgment a notice asked for (404 for an unknown notice).
pub async fn of_notice(
    db: &Db,
    notice: NoticeId,
) -> PcResult<(crate::domain::notice::Notice, Vec<Ack>)> {
    db.read(move |conn| {
        let n = notices::find(conn, &notice)?.ok_or(PcError::NoticeNotFound(notice))?;
        Ok((n.value, acks::of_notice(conn, &notice)?))
    })
    .await
}

pub async fn pending_of(db: &Db, employee: EmployeeId) -> PcResult<Vec<PendingAck>> {
    db.read(move |conn| Ok(acks::pending_of(conn, &employee)?))
        .await
}

/// A copied employee changed: someone who arrives in a department (hired, transferred in,
/// back to active) is asked to acknowledge its current notices; someone who left has
/// their pending acknowledgments closed as not required.
pub fn roster_changed_in(
    conn: &mut DbConnection,
    before: Option<&CopiedEmployee>,
    after: &CopiedEmployee,
    at: DateTime<Utc>,
) -> PcResult<()> {
    if after.status == EmployeeStatus::Left {
        if before.map(|b| b.status) != Some(EmployeeStatus::Left) {
            acks::close_pending_of(conn, &after.employee_id)?;
            handovers::report_for(conn, &after.employee_id, at)?;
        }
        return Ok(());
    }
    let arrived = match before {
        None => after.status == EmployeeStatus::Active,
        Some(b) => {
            after.status == EmployeeStatus::Active
                && (b.department_code != after.department_code || b.status == EmployeeStatus::Left)
        }
    };
    if !arrived {
        return Ok(());
    }
    let wanted: Vec<_> = notices::current_of_department(conn, &after.department_code)?
        .into_iter()
        .map(|(n, _)| (n, after.employee_id.clone(), after.department_code.clone()))
        .collect();
    if acks::add_pending(conn, &wanted, at.naive_utc())? > 0 {
        handovers::report_for(conn, &after.employee_id, at)?;
    }
    Ok(())
}
