//! The events staffing publishes about its roster, built from its domain values, and the
//! snapshot that lets a subscriber that lost its data catch up.

use chrono::{DateTime, Utc};
use continuity_contract::ServiceName;
use continuity_contract::payloads::{DepartmentUpserted, EmployeeUpserted};
use continuity_shared::ApiResult;
use continuity_shared::db::DbConnection;
use continuity_shared::events::{CloudEvent, incarnation, outbox};

use super::errors::{StaffingError, StaffingResult};
use crate::db::{departments, employees};
use crate::domain::department::Department;
use crate::domain::employee::Employee;
use crate::domain::transition::{Facts, Published, transitions};

/// The `source` of every event staffing publishes.
pub const SOURCE: &str = "staffing";

pub fn department_upserted(d: &Department, at: DateTime<Utc>) -> ApiResult<CloudEvent> {
    CloudEvent::new(
        SOURCE,
        &DepartmentUpserted {
            code: d.code.clone(),
            name: d.name.clone(),
            key: d.key,
            min_project_members: d.min_project_members,
        },
        at,
    )
}

pub fn employee_upserted(e: &Employee, at: DateTime<Utc>) -> ApiResult<CloudEvent> {
    CloudEvent::new(
        SOURCE,
        &EmployeeUpserted {
            employee_id: e.employee_id.clone(),
            name: e.name.clone(),
            department_code: e.department_code.clone(),
            hire_date: Some(e.hire_date),
            status: e.status,
            last_working_day: e.last_working_day,
        },
        at,
    )
}

/// The events a change of one employee publishes (see [`transitions`]), as CloudEvents.
pub fn employee_changed(
    before: Option<&Employee>,
    after: &Employee,
    facts: &Facts,
    at: DateTime<Utc>,
) -> ApiResult<Vec<CloudEvent>> {
    transitions(before, after, facts)
        .iter()
        .map(|p| match p {
            Published::Upserted(d) => CloudEvent::new(SOURCE, d, at),
            Published::Resigned(d) => CloudEvent::new(SOURCE, d, at),
            Published::ResignationRescinded(d) => CloudEvent::new(SOURCE, d, at),
            Published::Transferred(d) => CloudEvent::new(SOURCE, d, at),
            Published::Left(d) => CloudEvent::new(SOURCE, d, at),
        })
        .collect()
}

/// Every department and employee as `*.upserted` events for `subscriber` alone, after
/// whatever is already queued for it. Upserts are idempotent, so a subscriber that already
/// has some of it converges all the same. With `if_needed` naming the subscriber's database
/// incarnation, only once for a new incarnation of a subscriber that staffing had
/// delivered to under another (its data was lost); otherwise the outbox still holds
/// everything for it.
pub fn snapshot_for(
    conn: &mut DbConnection,
    subscriber: &ServiceName,
    peers: &[ServiceName],
    if_needed: Option<&str>,
    at: DateTime<Utc>,
) -> StaffingResult<usize> {
    if !peers.contains(subscriber) {
        return Err(StaffingError::UnknownSubscriber(subscriber.to_string()));
    }
    if let Some(incarnation) = if_needed
        && !incarnation::claim_snapshot(conn, subscriber.as_str(), incarnation)?
    {
        return Ok(0);
    }
    let mut events = departments::all(conn)?
        .iter()
        .map(|d| department_upserted(&d.value, at))
        .collect::<ApiResult<Vec<_>>>()?;
    for e in employees::all(conn)? {
        events.push(employee_upserted(&e.value, at)?);
    }
    outbox::publish_to(conn, &events, subscriber.as_str())?;
    Ok(events.len())
}
