//! The events staffing publishes about its roster, built from its domain values, and the
//! snapshot that lets a subscriber that lost its data catch up.

use chrono::{DateTime, NaiveDate, Utc};
use continuity_contract::payloads::{
    self, CoverageChanged, DepartmentUpserted, EmployeeUpserted, HandoverCancelled,
    HandoverCompleted, HandoverOpened, HandoverSuccessorAssigned, ProjectUpserted, TeamMemberAdded,
    TeamMemberRemoved,
};
use continuity_contract::{CoverageStatus, ProjectId, Reason, ServiceName};
use continuity_shared::ApiResult;
use continuity_shared::db::DbConnection;
use continuity_shared::events::{CloudEvent, incarnation, outbox};

use super::errors::{StaffingError, StaffingResult};
use crate::db::{departments, employees, projects, team};
use crate::domain::coverage::DepartmentCoverage;
use crate::domain::department::Department;
use crate::domain::employee::Employee;
use crate::domain::handover::Handover;
use crate::domain::project::Project;
use crate::domain::team::TeamMember;
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

/// Every department, employee, project and team place as `*.upserted` and
/// `team_member.added` events for `subscriber` alone, after
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
    for p in projects::all(conn)? {
        events.push(project_upserted(&p.value, at)?);
    }
    for m in team::all(conn)? {
        events.push(team_member_added(&m.value, at)?);
    }
    outbox::publish_to(conn, &events, subscriber.as_str())?;
    Ok(events.len())
}

pub fn project_upserted(p: &Project, at: DateTime<Utc>) -> ApiResult<CloudEvent> {
    CloudEvent::new(
        SOURCE,
        &ProjectUpserted {
            project_id: p.project_id,
            name: p.name.clone(),
            status: p.status,
            planned_start: p.planned_start,
            planned_go_live: p.planned_go_live,
            stabilization_months: p.stabilization_months,
        },
        at,
    )
}

fn team_member(m: &TeamMember) -> payloads::TeamMember {
    payloads::TeamMember {
        project_id: m.project_id,
        employee_id: m.employee_id.clone(),
        department_code: m.department_code.clone(),
        role: m.role,
        backup_for: m.backup_for.clone(),
    }
}

/// `team_member.added`, also for a changed place (its role, department or backup).
pub fn team_member_added(m: &TeamMember, at: DateTime<Utc>) -> ApiResult<CloudEvent> {
    CloudEvent::new(SOURCE, &TeamMemberAdded(team_member(m)), at)
}

pub fn team_member_removed(m: &TeamMember, at: DateTime<Utc>) -> ApiResult<CloudEvent> {
    CloudEvent::new(SOURCE, &TeamMemberRemoved(team_member(m)), at)
}

pub fn handover_opened(h: &Handover, at: DateTime<Utc>) -> ApiResult<CloudEvent> {
    CloudEvent::new(
        SOURCE,
        &HandoverOpened {
            handover_id: h.handover_id,
            project_id: h.project_id,
            leaver_employee_id: h.leaver_employee_id.clone(),
            department_code: h.department_code.clone(),
            last_working_day: h.last_working_day,
            due_date: h.due_date,
            proposed_successor_employee_id: h.proposed_successor.clone(),
        },
        at,
    )
}

/// `handover.successor_assigned`; `None` when the handover has no successor.
pub fn handover_successor_assigned(
    h: &Handover,
    at: DateTime<Utc>,
) -> ApiResult<Option<CloudEvent>> {
    let Some(successor) = &h.successor else {
        return Ok(None);
    };
    CloudEvent::new(
        SOURCE,
        &HandoverSuccessorAssigned {
            handover_id: h.handover_id,
            project_id: h.project_id,
            department_code: h.department_code.clone(),
            successor_employee_id: successor.clone(),
            due_date: h.due_date,
        },
        at,
    )
    .map(Some)
}

pub fn handover_cancelled(
    h: &Handover,
    reason: Reason,
    at: DateTime<Utc>,
) -> ApiResult<CloudEvent> {
    CloudEvent::new(
        SOURCE,
        &HandoverCancelled {
            handover_id: h.handover_id,
            project_id: h.project_id,
            reason,
        },
        at,
    )
}

pub fn handover_completed(h: &Handover, at: DateTime<Utc>) -> ApiResult<CloudEvent> {
    CloudEvent::new(
        SOURCE,
        &HandoverCompleted {
            handover_id: h.handover_id,
            project_id: h.project_id,
            forced: h.forced,
        },
        at,
    )
}

pub fn coverage_changed(
    project: ProjectId,
    old: Option<CoverageStatus>,
    d: &DepartmentCoverage,
    on: NaiveDate,
    at: DateTime<Utc>,
) -> ApiResult<CloudEvent> {
    CloudEvent::new(
        SOURCE,
        &CoverageChanged {
            project_id: project,
            department_code: d.code.clone(),
            old_status: old,
            new_status: d.status,
            required: d.required,
            effective: d.effective,
            on,
        },
        at,
    )
}
