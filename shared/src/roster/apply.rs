//! The producer's roster events applied to the copy. Every change is an idempotent upsert
//! or delete, so a replayed snapshot converges on the producer's state; what changed is
//! shown to the service's hook.

use chrono::NaiveDate;
use continuity_contract::payloads::{
    DepartmentUpserted, EmployeeLeft, EmployeeResignationRescinded, EmployeeResigned,
    EmployeeTransferred, EmployeeUpserted, ProjectUpserted, TeamMemberAdded, TeamMemberRemoved,
};
use continuity_contract::{DepartmentCode, EmployeeStatus, EventType};

use super::RosterCopy;
use super::db;
use super::hook::RosterChange;
use super::model::{CopiedDepartment, CopiedEmployee, CopiedMember, CopiedProject};
use crate::db::DbConnection;
use crate::error::ApiResult;
use crate::events::CloudEvent;
use crate::service::Subscription;

/// The event types the copy is made of.
pub const ROSTER_TYPES: [EventType; 9] = [
    EventType::DepartmentUpserted,
    EventType::EmployeeUpserted,
    EventType::EmployeeResigned,
    EventType::EmployeeResignationRescinded,
    EventType::EmployeeTransferred,
    EventType::EmployeeLeft,
    EventType::ProjectUpserted,
    EventType::TeamMemberAdded,
    EventType::TeamMemberRemoved,
];

/// The roster types, each accepted from `producer`: a service that keeps a copy lists
/// these among its subscriptions (`&roster::subscriptions_from(&["staffing"])`).
pub const fn subscriptions_from(producer: &'static [&'static str]) -> [Subscription; 9] {
    let mut out = [Subscription::new(ROSTER_TYPES[0], producer); 9];
    let mut i = 1;
    while i < ROSTER_TYPES.len() {
        out[i] = Subscription::new(ROSTER_TYPES[i], producer);
        i += 1;
    }
    out
}

impl RosterCopy {
    /// Applies `event` when it is a roster event; `Ok(false)` otherwise. (The inbox has
    /// checked that it comes from the producer the service subscribes to it from.)
    pub(crate) fn apply(&self, conn: &mut DbConnection, event: &CloudEvent) -> ApiResult<bool> {
        let Some(kind) = EventType::parse(&event.event_type) else {
            return Ok(false);
        };
        if !ROSTER_TYPES.contains(&kind) {
            return Ok(false);
        }
        let now = event.time.naive_utc();
        let change = match kind {
            EventType::DepartmentUpserted => {
                let after = CopiedDepartment::from(event.payload::<DepartmentUpserted>()?);
                let before = self.before(|| db::department(conn, after.code.as_str()))?;
                db::upsert_department(conn, &after, now)?;
                RosterChange::Department { before, after }
            }
            EventType::ProjectUpserted => {
                let after = CopiedProject::from(event.payload::<ProjectUpserted>()?);
                let before = self.before(|| db::project(conn, &after.project_id.to_string()))?;
                db::upsert_project(conn, &after, now)?;
                RosterChange::Project { before, after }
            }
            EventType::TeamMemberAdded | EventType::TeamMemberRemoved => {
                let removed = kind == EventType::TeamMemberRemoved;
                let m = if removed {
                    event.payload::<TeamMemberRemoved>()?.0
                } else {
                    event.payload::<TeamMemberAdded>()?.0
                };
                let member = CopiedMember::from(m);
                let project = member.project_id.to_string();
                let before =
                    self.before(|| db::member(conn, &project, member.employee_id.as_str()))?;
                let after = if removed {
                    db::delete_member(conn, &project, member.employee_id.as_str())?;
                    None
                } else {
                    db::upsert_member(conn, &member, now)?;
                    Some(member)
                };
                RosterChange::Member { before, after }
            }
            _ => match employee_change(conn, kind, event, self.hook.is_some())? {
                Some((before, after)) => {
                    db::upsert_employee(conn, &after, now)?;
                    RosterChange::Employee { before, after }
                }
                // A change to someone the copy has never seen: nothing to change yet; the
                // producer's employee.upserted that introduces them carries the state.
                None => return Ok(true),
            },
        };
        if let Some(hook) = &self.hook
            && changed(&change)
        {
            hook.changed(conn, &change, event)?;
        }
        Ok(true)
    }
}

impl RosterCopy {
    /// What a change replaces, read only when a hook will look at it.
    fn before<R, T>(
        &self,
        read: impl FnOnce() -> crate::db::DbResult<Option<R>>,
    ) -> ApiResult<Option<T>>
    where
        T: TryFrom<R, Error = crate::db::CorruptRow>,
    {
        if self.hook.is_none() {
            return Ok(None);
        }
        Ok(read()?.map(T::try_from).transpose()?)
    }
}

/// The employee before and after an `employee.*` event, or `None` when the event changes
/// a person the copy does not hold.
fn employee_change(
    conn: &mut DbConnection,
    kind: EventType,
    event: &CloudEvent,
    watched: bool,
) -> ApiResult<Option<(Option<CopiedEmployee>, CopiedEmployee)>> {
    let find = |conn: &mut DbConnection, id: &str| -> ApiResult<Option<CopiedEmployee>> {
        Ok(db::employee(conn, id)?
            .map(CopiedEmployee::try_from)
            .transpose()?)
    };
    if kind == EventType::EmployeeUpserted {
        let after = CopiedEmployee::from(event.payload::<EmployeeUpserted>()?);
        // An upsert replaces the row whole: read the old one only for a hook.
        let before = if watched {
            find(conn, after.employee_id.as_str())?
        } else {
            None
        };
        return Ok(Some((before, after)));
    }
    let (id, edit) = match kind {
        EventType::EmployeeResigned => {
            let e: EmployeeResigned = event.payload()?;
            (e.employee_id, Edit::Leaving(e.last_working_day))
        }
        EventType::EmployeeResignationRescinded => {
            let e: EmployeeResignationRescinded = event.payload()?;
            (e.employee_id, Edit::Stays)
        }
        EventType::EmployeeTransferred => {
            let e: EmployeeTransferred = event.payload()?;
            (e.employee_id, Edit::Moves(e.department_code))
        }
        EventType::EmployeeLeft => {
            let e: EmployeeLeft = event.payload()?;
            (e.employee_id, Edit::Left(e.last_working_day))
        }
        _ => return Ok(None),
    };
    let Some(before) = find(conn, id.as_str())? else {
        return Ok(None);
    };
    let after = edit.apply(before.clone());
    Ok(Some((Some(before), after)))
}

/// What an `employee.*` event other than an upsert changes about a person.
enum Edit {
    Leaving(NaiveDate),
    Stays,
    Moves(DepartmentCode),
    Left(NaiveDate),
}

impl Edit {
    fn apply(self, mut e: CopiedEmployee) -> CopiedEmployee {
        match self {
            Edit::Leaving(day) => {
                e.status = EmployeeStatus::Leaving;
                e.last_working_day = Some(day);
            }
            Edit::Stays => {
                e.status = EmployeeStatus::Active;
                e.last_working_day = None;
            }
            Edit::Moves(department) => e.department_code = department,
            Edit::Left(day) => {
                e.status = EmployeeStatus::Left;
                e.last_working_day = Some(day);
            }
        }
        e
    }
}

fn changed(change: &RosterChange) -> bool {
    match change {
        RosterChange::Department { before, after } => before.as_ref() != Some(after),
        RosterChange::Employee { before, after } => before.as_ref() != Some(after),
        RosterChange::Project { before, after } => before.as_ref() != Some(after),
        RosterChange::Member { before, after } => before != after,
    }
}
