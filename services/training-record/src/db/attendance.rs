//! Who attended which session.

use chrono::NaiveDateTime;
use continuity_contract::EmployeeId;
use continuity_shared::db::{DbConnection, DbResult};
use continuity_shared::with_backend;
use diesel::prelude::*;

use super::schema::attendance as at;
use crate::domain::ids::SessionId;

/// Whether `employee` was recorded at `session`: `None` when nobody said.
pub fn find(
    conn: &mut DbConnection,
    session: &SessionId,
    employee: &EmployeeId,
) -> DbResult<Option<bool>> {
    Ok(at::table
        .find((session.to_string(), employee.as_str()))
        .select(at::attended)
        .get_result(conn)
        .optional()?)
}

/// Records (or changes) one person's attendance.
pub fn put(
    conn: &mut DbConnection,
    session: &SessionId,
    employee: &EmployeeId,
    attended: bool,
    now: NaiveDateTime,
) -> DbResult<()> {
    with_backend!(&mut *conn, |c| diesel::insert_into(at::table)
        .values((
            at::session_id.eq(session.to_string()),
            at::employee_id.eq(employee.as_str()),
            at::attended.eq(attended),
            at::updated_at.eq(now),
        ))
        .on_conflict((at::session_id, at::employee_id))
        .do_update()
        .set((at::attended.eq(attended), at::updated_at.eq(now)))
        .execute(c))?;
    Ok(())
}

/// Everyone recorded as attending one of `sessions`: (session, employee).
pub fn attendees(conn: &mut DbConnection, sessions: &[String]) -> DbResult<Vec<(String, String)>> {
    Ok(at::table
        .filter(at::session_id.eq_any(sessions))
        .filter(at::attended.eq(true))
        .select((at::session_id, at::employee_id))
        .load(conn)?)
}
