//! Recording who attended a session, one person or many at once.

use continuity_contract::EmployeeId;
use continuity_shared::audit::{self, AuditContext, Change};
use continuity_shared::db::Db;

use super::catchup;
use super::errors::{TrainingError, TrainingResult};
use crate::db::{attendance as rows, sessions};
use crate::domain::ids::SessionId;

/// The audit trail's name for attendance.
pub const ENTITY: &str = "attendance";

#[derive(serde::Serialize)]
struct Attended {
    attended: bool,
}

/// Records each (person, attended) of `marks` for one session, in one transaction;
/// returns how many changed.
pub async fn put(
    db: &Db,
    session: SessionId,
    marks: Vec<(EmployeeId, bool)>,
    ctx: AuditContext,
) -> TrainingResult<usize> {
    db.write(move |conn| {
        let s = sessions::find(conn, &session)?.ok_or(TrainingError::SessionNotFound(session))?;
        let mut changes = Vec::new();
        let mut changed = Vec::new();
        for (employee, attended) in marks {
            let old = rows::find(conn, &session, &employee)?;
            if old == Some(attended) {
                continue;
            }
            rows::put(conn, &session, &employee, attended, ctx.at.naive_utc())?;
            let id = format!("{session}/{employee}");
            changes.push(match old {
                None => Change::created(ENTITY, id, &Attended { attended })?,
                Some(o) => Change::updated(
                    ENTITY,
                    id,
                    &Attended { attended: o },
                    &Attended { attended },
                )?,
            });
            changed.push(employee);
        }
        audit::record_all(conn, &ctx, changes)?;
        for e in &changed {
            catchup::refresh_in(conn, &s.value.project_id, e, &ctx)?;
        }
        Ok(changed.len())
    })
    .await
}
