//! What an HR event does to the employee it names: the employee after it, or why it
//! cannot be applied (unmatched). Free of I/O; the events the change publishes follow from
//! [`super::transition::transitions`].

use chrono::NaiveDate;
use continuity_contract::EmployeeId;
use continuity_shared::i18n::Text;
use continuity_shared::text;

use super::employee::{Employee, EmployeeStatus, status_on};
use super::hr_event::HrEvent;
use super::transition::Facts;

/// What applying an event comes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// The employee as the event leaves them (unchanged is possible: a repeat).
    Change {
        after: Employee,
        facts: Facts,
        /// The successor HR named.
        successor: Option<EmployeeId>,
    },
    /// The event changes nothing (a rescinded resignation of someone who had none).
    Nothing,
}

/// Why an event cannot be applied: it is kept as unmatched, to be replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmatched(pub Text);

/// The effect of `event` on `existing` (None: staffing does not know the person), given
/// whether the department it names (if any) exists and the company's `today`:
/// - hired: creates the employee, or updates a known one (rehiring one who has left);
/// - transferred: the known employee in the new department;
/// - resigned: `leaving` until the last working day (`left` if that day is already past);
/// - resignation rescinded: a `leaving` employee `active` again, the day cleared;
/// - terminated: after an earlier resignation whose day is still ahead, moves that day;
///   otherwise an immediate departure (`left`).
pub fn effect(
    event: &HrEvent,
    existing: Option<&Employee>,
    department_known: bool,
    today: NaiveDate,
) -> Result<Effect, Unmatched> {
    let id = event.employee_id();
    let facts = Facts::on(today);
    if let HrEvent::Hired(h) = event {
        known_department(department_known, h.department_code.as_str())?;
        let (status, last) = match existing {
            Some(e) if e.status != EmployeeStatus::Left => (e.status, e.last_working_day),
            _ => (EmployeeStatus::Active, None),
        };
        let after = Employee {
            employee_id: h.employee_id.clone(),
            name: h.name.clone(),
            department_code: h.department_code.clone(),
            hire_date: h.hire_date,
            status,
            last_working_day: last,
        };
        let facts = Facts {
            effective_date: Some(h.hire_date.max(today)),
            ..facts
        };
        return checked(after, facts, None);
    }
    let Some(e) = existing else {
        let kind = event.type_name();
        return Err(Unmatched(text!(
            "employee `{id}` is not known to staffing and a {kind} event does not carry enough to add them; send employee.hired first, then replay",
            "staffing 不认识员工 `{id}`，且 {kind} 事件不足以新建该员工；请先发送 employee.hired 再重放"
        )));
    };
    let left = || {
        Unmatched(text!(
            "employee `{id}` has already left; rehire them with employee.hired first",
            "员工 `{id}` 已离职；请先以 employee.hired 重新入职"
        ))
    };
    match event {
        HrEvent::Hired(_) => Ok(Effect::Nothing),
        HrEvent::Transferred(t) => {
            known_department(department_known, t.department_code.as_str())?;
            let after = Employee {
                department_code: t.department_code.clone(),
                ..e.clone()
            };
            let facts = Facts {
                effective_date: Some(t.effective_date),
                ..facts
            };
            checked(after, facts, None)
        }
        HrEvent::Resigned(r) => {
            if e.status == EmployeeStatus::Left {
                return Err(left());
            }
            let after = Employee {
                status: status_on(Some(r.last_working_day), today),
                last_working_day: Some(r.last_working_day),
                ..e.clone()
            };
            let facts = Facts {
                notice_date: Some(r.notice_date),
                reason: r.reason.clone(),
                ..facts
            };
            checked(after, facts, r.successor_employee_id.clone())
        }
        HrEvent::ResignationRescinded(_) => match e.status {
            EmployeeStatus::Left => Err(left()),
            EmployeeStatus::Active => Ok(Effect::Nothing),
            EmployeeStatus::Leaving => {
                let after = Employee {
                    status: EmployeeStatus::Active,
                    last_working_day: None,
                    ..e.clone()
                };
                checked(after, facts, None)
            }
        },
        HrEvent::Terminated(t) => {
            let day = t.last_working_day;
            let status = if e.status == EmployeeStatus::Leaving && day >= today {
                EmployeeStatus::Leaving
            } else {
                EmployeeStatus::Left
            };
            let after = Employee {
                status,
                last_working_day: Some(day),
                ..e.clone()
            };
            checked(after, facts, t.successor_employee_id.clone())
        }
    }
}

fn known_department(known: bool, code: &str) -> Result<(), Unmatched> {
    if known {
        Ok(())
    } else {
        Err(Unmatched(text!(
            "department `{code}` is not known to staffing; create it, then replay",
            "staffing 不认识部门 `{code}`；请先创建该部门再重放"
        )))
    }
}

/// The employee after the change, held to the same rules as one a client sends (nobody
/// leaves before being hired).
fn checked(
    after: Employee,
    facts: Facts,
    successor: Option<EmployeeId>,
) -> Result<Effect, Unmatched> {
    Employee::new(
        after.employee_id.clone(),
        after.name.as_str(),
        after.department_code.clone(),
        after.hire_date,
        after.status,
        after.last_working_day,
    )
    .map_err(|errors| {
        let why = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message.en))
            .collect::<Vec<_>>()
            .join("; ");
        Unmatched(Text::new(why.clone(), why))
    })?;
    Ok(Effect::Change {
        after,
        facts,
        successor,
    })
}

#[cfg(test)]
mod tests {
    use continuity_contract::{DepartmentCode, Name};
    use serde_json::json;

    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    const TODAY: &str = "2026-11-28";

    fn emp(status: EmployeeStatus, last: Option<&str>) -> Employee {
        Employee {
            employee_id: EmployeeId::parse("E1").unwrap(),
            name: Name::parse("Li Lei").unwrap(),
            department_code: DepartmentCode::parse("sales").unwrap(),
            hire_date: d("2020-01-01"),
            status,
            last_working_day: last.map(d),
        }
    }

    fn ev(t: &str, data: serde_json::Value) -> HrEvent {
        HrEvent::parse(t, &data).unwrap()
    }

    fn after(effect: Result<Effect, Unmatched>) -> Employee {
        match effect {
            Ok(Effect::Change { after, .. }) => after,
            other => panic!("{other:?}"),
        }
    }

    use EmployeeStatus::{Active, Leaving, Left};

    #[test]
    fn a_resignation_makes_an_active_employee_leaving_with_the_successor_named() {
        let e = ev(
            "employee.resigned",
            json!({"employee_id": "E1", "notice_date": "2026-11-20", "last_working_day": "2026-12-31", "successor_employee_id": "E2"}),
        );
        let Ok(Effect::Change {
            after,
            facts,
            successor,
        }) = effect(&e, Some(&emp(Active, None)), true, d(TODAY))
        else {
            panic!()
        };
        assert_eq!(
            (after.status, after.last_working_day),
            (Leaving, Some(d("2026-12-31")))
        );
        assert_eq!(facts.notice_date, Some(d("2026-11-20")));
        assert_eq!(successor.unwrap().as_str(), "E2");
    }

    #[test]
    fn an_event_for_an_unknown_employee_is_unmatched_unless_it_is_a_hire() {
        let e = ev(
            "employee.resignation_rescinded",
            json!({"employee_id": "E1"}),
        );
        assert!(effect(&e, None, true, d(TODAY)).is_err());
        let hire = ev(
            "employee.hired",
            json!({"employee_id": "E1", "name": "Li Lei", "department_code": "sales", "hire_date": "2026-12-01"}),
        );
        assert_eq!(after(effect(&hire, None, true, d(TODAY))).status, Active);
        let Err(Unmatched(why)) = effect(&hire, None, false, d(TODAY)) else {
            panic!()
        };
        assert!(why.en.contains("department `sales`"));
    }

    #[test]
    fn a_termination_without_a_resignation_is_an_immediate_departure() {
        let t = ev(
            "employee.terminated",
            json!({"employee_id": "E1", "last_working_day": TODAY}),
        );
        let a = after(effect(&t, Some(&emp(Active, None)), true, d(TODAY)));
        assert_eq!((a.status, a.last_working_day), (Left, Some(d(TODAY))));
    }

    #[test]
    fn a_termination_after_a_resignation_moves_the_last_working_day() {
        let t = ev(
            "employee.terminated",
            json!({"employee_id": "E1", "last_working_day": "2026-12-10"}),
        );
        let a = after(effect(
            &t,
            Some(&emp(Leaving, Some("2026-12-31"))),
            true,
            d(TODAY),
        ));
        assert_eq!(
            (a.status, a.last_working_day),
            (Leaving, Some(d("2026-12-10")))
        );
        // A day already past: gone now.
        let past = ev(
            "employee.terminated",
            json!({"employee_id": "E1", "last_working_day": "2026-11-27"}),
        );
        let a = after(effect(
            &past,
            Some(&emp(Leaving, Some("2026-12-31"))),
            true,
            d(TODAY),
        ));
        assert_eq!(a.status, Left);
    }

    #[test]
    fn a_rescinded_resignation_clears_the_day_and_is_nothing_for_an_active_employee() {
        let r = ev(
            "employee.resignation_rescinded",
            json!({"employee_id": "E1"}),
        );
        let a = after(effect(
            &r,
            Some(&emp(Leaving, Some("2026-12-31"))),
            true,
            d(TODAY),
        ));
        assert_eq!((a.status, a.last_working_day), (Active, None));
        assert_eq!(
            effect(&r, Some(&emp(Active, None)), true, d(TODAY)),
            Ok(Effect::Nothing)
        );
        assert!(effect(&r, Some(&emp(Left, Some("2026-01-01"))), true, d(TODAY)).is_err());
    }

    #[test]
    fn a_transfer_needs_a_known_department_and_a_hire_rehires_a_leaver() {
        let t = ev(
            "employee.transferred",
            json!({"employee_id": "E1", "department_code": "quality", "effective_date": "2026-12-01"}),
        );
        assert!(effect(&t, Some(&emp(Active, None)), false, d(TODAY)).is_err());
        let a = after(effect(&t, Some(&emp(Active, None)), true, d(TODAY)));
        assert_eq!(a.department_code.as_str(), "quality");
        let hire = ev(
            "employee.hired",
            json!({"employee_id": "E1", "name": "Li Lei", "department_code": "sales", "hire_date": "2026-12-01"}),
        );
        let a = after(effect(
            &hire,
            Some(&emp(Left, Some("2025-01-01"))),
            true,
            d(TODAY),
        ));
        assert_eq!((a.status, a.last_working_day), (Active, None));
    }

    #[test]
    fn nobody_leaves_before_being_hired() {
        let t = ev(
            "employee.terminated",
            json!({"employee_id": "E1", "last_working_day": "2019-01-01"}),
        );
        assert!(effect(&t, Some(&emp(Active, None)), true, d(TODAY)).is_err());
    }
}
