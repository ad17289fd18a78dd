//! The handovers whose successor's acknowledgments this service reports.

use chrono::NaiveDateTime;
use continuity_contract::{DepartmentCode, EmployeeId, HandoverId};
use continuity_shared::db::{CorruptRow, DbConnection, DbResult};
use continuity_shared::with_backend;
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::schema::tracked_handovers as t;

/// A handover this service reports on, and what it last reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracked {
    pub handover_id: HandoverId,
    pub department_code: DepartmentCode,
    pub successor: EmployeeId,
    pub reported: Option<(u32, u32)>,
}

type Row = (String, String, String, Option<i32>, Option<i32>);

fn tracked(r: Row) -> Result<Tracked, CorruptRow> {
    let bad = |c| CorruptRow::new("tracked_handovers", &r.0, c);
    Ok(Tracked {
        handover_id: HandoverId::parse(&r.0).map_err(|_| bad("handover_id"))?,
        department_code: DepartmentCode::parse(&r.1).map_err(|_| bad("department_code"))?,
        successor: EmployeeId::parse(&r.2).map_err(|_| bad("successor_employee_id"))?,
        reported: match (r.3, r.4) {
            (Some(d), Some(q)) => Some((
                u32::try_from(d).map_err(|_| bad("reported_done"))?,
                u32::try_from(q).map_err(|_| bad("reported_required"))?,
            )),
            _ => None,
        },
    })
}

/// Starts (or restarts, with a new successor) tracking a handover. False when the handover
/// was cancelled or completed before: it stays stopped.
pub fn track(
    conn: &mut DbConnection,
    handover: &HandoverId,
    project: &str,
    department: &DepartmentCode,
    successor: &EmployeeId,
    at: NaiveDateTime,
) -> DbResult<bool> {
    let stopped = t::table
        .find(handover.to_string())
        .select(t::active)
        .get_result::<bool>(conn)
        .optional()?
        == Some(false);
    if stopped {
        return Ok(false);
    }
    let row = (
        t::handover_id.eq(handover.to_string()),
        t::project_id.eq(project),
        t::department_code.eq(department.to_string()),
        t::successor_employee_id.eq(successor.to_string()),
        t::active.eq(true),
        t::updated_at.eq(at),
    );
    with_backend!(&mut *conn, |c| diesel::insert_into(t::table)
        .values(row)
        .on_conflict(t::handover_id)
        .do_update()
        .set((
            t::department_code.eq(excluded(t::department_code)),
            t::successor_employee_id.eq(excluded(t::successor_employee_id)),
            t::updated_at.eq(excluded(t::updated_at)),
        ))
        .execute(c))?;
    Ok(true)
}

/// Stops reporting on a handover (cancelled or completed), even one never tracked.
pub fn stop(
    conn: &mut DbConnection,
    handover: &HandoverId,
    project: &str,
    at: NaiveDateTime,
) -> DbResult<()> {
    let row = (
        t::handover_id.eq(handover.to_string()),
        t::project_id.eq(project),
        t::department_code.eq(""),
        t::successor_employee_id.eq(""),
        t::active.eq(false),
        t::updated_at.eq(at),
    );
    with_backend!(&mut *conn, |c| diesel::insert_into(t::table)
        .values(row)
        .on_conflict(t::handover_id)
        .do_update()
        .set((
            t::active.eq(false),
            t::updated_at.eq(excluded(t::updated_at))
        ))
        .execute(c))?;
    Ok(())
}

/// The active handovers whose successor is `employee`.
pub fn active_of(conn: &mut DbConnection, employee: &EmployeeId) -> DbResult<Vec<Tracked>> {
    let rows: Vec<Row> = t::table
        .filter(t::successor_employee_id.eq(employee.to_string()))
        .filter(t::active.eq(true))
        .order(t::handover_id.asc())
        .select((
            t::handover_id,
            t::department_code,
            t::successor_employee_id,
            t::reported_done,
            t::reported_required,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(tracked).collect::<Result<_, _>>()?)
}

pub fn set_reported(
    conn: &mut DbConnection,
    handover: &HandoverId,
    done: u32,
    required: u32,
) -> DbResult<()> {
    diesel::update(t::table.find(handover.to_string()))
        .set((
            t::reported_done.eq(Some(i32::try_from(done).unwrap_or(i32::MAX))),
            t::reported_required.eq(Some(i32::try_from(required).unwrap_or(i32::MAX))),
        ))
        .execute(conn)?;
    Ok(())
}

/// The active handovers of a department.
pub fn active_in(conn: &mut DbConnection, department: &DepartmentCode) -> DbResult<Vec<Tracked>> {
    let rows: Vec<Row> = t::table
        .filter(t::department_code.eq(department.to_string()))
        .filter(t::active.eq(true))
        .order(t::handover_id.asc())
        .select((
            t::handover_id,
            t::department_code,
            t::successor_employee_id,
            t::reported_done,
            t::reported_required,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(tracked).collect::<Result<_, _>>()?)
}
