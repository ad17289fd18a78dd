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

/// The change takes the employee off the roster (status `left`) now.
fn leaves_now(c: &RosterChange) -> bool {
    c.after.status == EmployeeStatus::Left
        && c.before
            .as_ref()
            .is_none_or(|b| b.status != EmployeeStatus::Left)
}

/// The change moves a date that coverage counts from. A new employee is on no team yet (a
/// team place references its employee), so there is no project of theirs to recheck.
fn moves_coverage(c: &RosterChange) -> bool {
    c.before.as_ref().is_some_and(|b| {
        b.hire_date != c.after.hire_date || b.last_working_day != c.after.last_working_day
    })
}

/// Whether [`roster_changed`] has anything to do for `c`: a change that sets nothing off
/// (a new name, a transfer of someone with no dates moved) is the employee's row alone.
pub fn sets_off_anything(c: &RosterChange) -> bool {
    consequence(c.before.as_ref(), &c.after) != Consequence::None
        || leaves_now(c)
        || moves_coverage(c)
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
        if leaves_now(c) {
            // Someone who has left holds no place on a team; their handovers stay open.
            for place in team::of_employee(conn, &after.employee_id)? {
                teams::remove_in(conn, &place.value, ctx, rules)?;
            }
        }
        if moves_coverage(c) {
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

    fn change(before: Option<Employee>, after: Employee) -> RosterChange {
        RosterChange {
            before,
            after,
            successor: None,
        }
    }

    #[test]
    fn only_a_change_of_name_or_department_sets_nothing_off() {
        let active = employee(None);
        let renamed = Employee::new(
            active.employee_id.clone(),
            "Li Lei (Sales)",
            active.department_code.clone(),
            active.hire_date,
            EmployeeStatus::Active,
            None,
        )
        .unwrap();
        assert!(!sets_off_anything(&change(Some(active.clone()), renamed)));
        assert!(!sets_off_anything(&change(None, active.clone())));

        let leaving = employee(NaiveDate::from_ymd_opt(2026, 6, 30));
        assert!(sets_off_anything(&change(
            Some(active.clone()),
            leaving.clone()
        )));
        assert!(sets_off_anything(&change(None, leaving.clone())));
        assert!(sets_off_anything(&change(
            Some(leaving.clone()),
            active.clone()
        )));
        let mut left = leaving.clone();
        left.status = EmployeeStatus::Left;
        assert!(sets_off_anything(&change(Some(leaving), left)));
        let mut rehired = active.clone();
        rehired.hire_date = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
        assert!(sets_off_anything(&change(Some(active), rehired)));
    }
}
