//! What a change to the roster sets off beyond the employee itself: handovers opened or
//! cancelled, leavers taken off their teams, and coverage rechecked. Every path that
//! changes employees (a `PUT`, an import, an HR event, the daily job that lets leavers
//! go) calls [`roster_changed`] in the transaction of the change, so the consequences
//! commit with it.

use continuity_contract::{EmployeeId, EmployeeStatus, ProjectId};
use continuity_shared::audit::AuditContext;
use continuity_shared::db::DbConnection;

use super::coverage::{self, Scope};
use super::errors::StaffingResult;
use super::{handovers, teams};
use crate::db::team;
use crate::domain::employee::Employee;
use crate::settings::Rules;

/// One employee as they were and as they are now.
#[derive(Debug, Clone)]
pub struct RosterChange {
    /// None for a new employee.
    pub before: Option<Employee>,
    pub after: Employee,
    /// The successor HR named with a resignation or a termination, if any.
    pub successor: Option<EmployeeId>,
}

/// What a change means for the employee's places on project teams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consequence {
    /// A last working day appeared or moved: handovers open (or move).
    Departure,
    /// The last working day was withdrawn: handovers are cancelled.
    Rescinded,
    None,
}

/// Reads a change: a resignation and a termination both bring a last working day.
pub fn consequence(before: Option<&Employee>, after: &Employee) -> Consequence {
    let was = before.and_then(|b| b.last_working_day);
    match (was, after.last_working_day) {
        (None, Some(_)) => Consequence::Departure,
        (Some(a), Some(b)) if a != b => Consequence::Departure,
        (Some(_), None) => Consequence::Rescinded,
        _ => Consequence::None,
    }
}

/// Reacts to changed employees.
pub fn roster_changed(
    conn: &mut DbConnection,
    changes: &[RosterChange],
    ctx: &AuditContext,
    rules: &Rules,
) -> StaffingResult<()> {
    let mut moved = Vec::new();
    for c in changes {
        let after = &c.after;
        match consequence(c.before.as_ref(), after) {
            Consequence::Departure => {
                handovers::open_for_departure(conn, after, c.successor.as_ref(), ctx, rules)?
            }
            Consequence::Rescinded => handovers::cancel_for(conn, &after.employee_id, ctx)?,
            Consequence::None => {}
        }
        let gone_now = after.status == EmployeeStatus::Left
            && c.before
                .as_ref()
                .is_none_or(|b| b.status != EmployeeStatus::Left);
        if gone_now {
            // Someone who has left holds no place on a team; their handovers stay open.
            for place in team::of_employee(conn, &after.employee_id)? {
                teams::remove_in(conn, &place.value, ctx, rules)?;
            }
        }
        // A new employee is on no team yet (a team place references its employee), so
        // there is no project of theirs to recheck.
        let facts_moved = c.before.as_ref().is_some_and(|b| {
            b.hire_date != after.hire_date || b.last_working_day != after.last_working_day
        });
        if facts_moved {
            moved.push(after.employee_id.to_string());
        }
    }
    if moved.is_empty() {
        return Ok(());
    }
    let projects: Vec<ProjectId> = team::projects_of(conn, &moved)?
        .iter()
        .filter_map(|id| ProjectId::parse(id).ok())
        .collect();
    if !projects.is_empty() {
        coverage::recheck(conn, Scope::Projects(&projects), rules, ctx.at)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use continuity_contract::{DepartmentCode, EmployeeStatus};

    use super::*;

    fn employee(last_day: Option<NaiveDate>) -> Employee {
        let status = if last_day.is_some() {
            EmployeeStatus::Leaving
        } else {
            EmployeeStatus::Active
        };
        Employee::new(
            EmployeeId::parse("E-1").unwrap(),
            "Li Lei",
            DepartmentCode::parse("sales").unwrap(),
            NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            status,
            last_day,
        )
        .unwrap()
    }

    #[test]
    fn a_last_working_day_appearing_or_moving_is_a_departure_and_its_removal_a_rescission() {
        let d1 = NaiveDate::from_ymd_opt(2026, 6, 30);
        let d2 = NaiveDate::from_ymd_opt(2026, 6, 15);
        let (active, leaving, moved) = (employee(None), employee(d1), employee(d2));
        assert_eq!(consequence(Some(&active), &leaving), Consequence::Departure);
        assert_eq!(consequence(None, &leaving), Consequence::Departure);
        assert_eq!(consequence(Some(&leaving), &moved), Consequence::Departure);
        assert_eq!(consequence(Some(&leaving), &active), Consequence::Rescinded);
        assert_eq!(consequence(Some(&leaving), &leaving), Consequence::None);
        assert_eq!(consequence(None, &active), Consequence::None);
    }
}
