//! The events staffing publishes about its roster, built from its rows, and the snapshot
//! that lets a new subscriber catch up.

use continuity_shared::db::DbConnection;
use continuity_shared::events::payloads::{DepartmentUpserted, EmployeeUpserted};
use continuity_shared::events::{CloudEvent, incarnation, outbox};
use continuity_shared::{ApiResult, FieldError, server::SERVICE_NAMES, text};
use diesel::prelude::*;

use crate::db::departments::DepartmentRow;
use crate::db::employees::EmployeeRow;
use crate::db::schema::{departments, employees};

pub const SOURCE: &str = "staffing";

pub fn department_upserted(row: &DepartmentRow) -> ApiResult<CloudEvent> {
    CloudEvent::new(
        SOURCE,
        &DepartmentUpserted {
            code: row.code.clone(),
            name: row.name.clone(),
            key: row.is_key,
            min_project_members: row.min_project_members,
        },
    )
}

pub fn employee_upserted(row: &EmployeeRow) -> ApiResult<CloudEvent> {
    CloudEvent::new(
        SOURCE,
        &EmployeeUpserted {
            employee_id: row.employee_id.clone(),
            name: row.name.clone(),
            department_code: row.department_code.clone(),
            hire_date: Some(row.hire_date),
            status: row.status.clone(),
            last_working_day: row.last_working_day,
        },
    )
}

/// Every department and employee as `*.upserted` events for `subscriber` alone, after
/// whatever is already queued for it. Upserts are idempotent, so a subscriber that already
/// has some of it converges all the same. With `if_needed` naming the subscriber's database
/// incarnation, only once for a new incarnation of a subscriber that staffing had
/// delivered to under another (its data was lost); otherwise the outbox still holds
/// everything for it.
pub fn snapshot_for(
    conn: &mut DbConnection,
    subscriber: &str,
    if_needed: Option<&str>,
) -> ApiResult<usize> {
    if !SERVICE_NAMES.contains(&subscriber) || subscriber == SOURCE {
        return Err(continuity_shared::ApiError::validation(vec![
            FieldError::new(
                "subscriber",
                text!(
                    "must be training-record, process-change or scheduling",
                    "须为 training-record、process-change 或 scheduling"
                ),
            ),
        ]));
    }
    if let Some(incarnation) = if_needed
        && !incarnation::claim_snapshot(conn, subscriber, incarnation)?
    {
        return Ok(0);
    }
    let depts: Vec<DepartmentRow> = departments::table
        .order(departments::code.asc())
        .select(DepartmentRow::as_select())
        .load(conn)?;
    let mut events = depts
        .iter()
        .map(department_upserted)
        .collect::<ApiResult<Vec<_>>>()?;
    let people: Vec<EmployeeRow> = employees::table
        .order(employees::employee_id.asc())
        .select(EmployeeRow::as_select())
        .load(conn)?;
    for e in &people {
        events.push(employee_upserted(e)?);
    }
    outbox::publish_to(conn, &events, subscriber)?;
    Ok(events.len())
}
