//! Which events a change to one employee publishes: the one rule every path that changes
//! employees goes through (a `PUT`, an import, an HR event, the daily job), so a
//! resignation has the same effect whichever way it arrives.

use chrono::NaiveDate;
use continuity_contract::{
    EmployeeLeft, EmployeeResignationRescinded, EmployeeResigned, EmployeeStatus,
    EmployeeTransferred, EmployeeUpserted, Reason,
};

use super::employee::Employee;

/// What the change itself knows beyond the two employees: the HR event's dates and
/// reason when there is one, else the company's date of the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// The company's date on which the change is made.
    pub today: NaiveDate,
    /// When notice was given (HR says; otherwise `today`).
    pub notice_date: Option<NaiveDate>,
    pub reason: Option<Reason>,
    /// When a transfer takes effect (HR says; otherwise `today`).
    pub effective_date: Option<NaiveDate>,
}

impl Facts {
    /// A change that carries nothing but its date (a `PUT`, an import, the daily job).
    pub fn on(today: NaiveDate) -> Self {
        Self {
            today,
            notice_date: None,
            reason: None,
            effective_date: None,
        }
    }
}

/// One event to publish, in its contract payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Published {
    Upserted(EmployeeUpserted),
    Resigned(EmployeeResigned),
    ResignationRescinded(EmployeeResignationRescinded),
    Transferred(EmployeeTransferred),
    Left(EmployeeLeft),
}

/// The events that going from `before` (none for a new employee) to `after` publishes,
/// in order: `employee.upserted` for any change (so every copy has the new row first),
/// then what the change means:
/// - becoming `leaving` from anything else: `employee.resigned`;
/// - `leaving` back to `active`: `employee.resignation_rescinded`;
/// - a known employee becoming `left`: `employee.left` (a new one that has already left
///   is only recorded);
/// - a known employee in another department: `employee.transferred`.
///
/// Nothing when nothing changed.
pub fn transitions(before: Option<&Employee>, after: &Employee, facts: &Facts) -> Vec<Published> {
    if before == Some(after) {
        return Vec::new();
    }
    let mut out = vec![Published::Upserted(upserted(after))];
    let was = before.map(|b| b.status);
    let (id, dept) = (after.employee_id.clone(), after.department_code.clone());
    if let Some(b) = before
        && b.department_code != after.department_code
    {
        out.push(Published::Transferred(EmployeeTransferred {
            employee_id: id.clone(),
            from_department_code: b.department_code.clone(),
            department_code: dept.clone(),
            effective_date: facts.effective_date.unwrap_or(facts.today),
        }));
    }
    match (was, after.status, after.last_working_day) {
        (w, EmployeeStatus::Leaving, Some(last)) if w != Some(EmployeeStatus::Leaving) => {
            out.push(Published::Resigned(EmployeeResigned {
                employee_id: id,
                department_code: dept,
                notice_date: facts.notice_date.unwrap_or(facts.today).min(last),
                last_working_day: last,
                reason: facts.reason.clone(),
            }));
        }
        (Some(EmployeeStatus::Leaving), EmployeeStatus::Active, _) => {
            out.push(Published::ResignationRescinded(
                EmployeeResignationRescinded { employee_id: id },
            ));
        }
        (Some(w), EmployeeStatus::Left, Some(last)) if w != EmployeeStatus::Left => {
            out.push(Published::Left(EmployeeLeft {
                employee_id: id,
                department_code: dept,
                last_working_day: last,
            }));
        }
        _ => {}
    }
    out
}

fn upserted(e: &Employee) -> EmployeeUpserted {
    EmployeeUpserted {
        employee_id: e.employee_id.clone(),
        name: e.name.clone(),
        department_code: e.department_code.clone(),
        hire_date: Some(e.hire_date),
        status: e.status,
        last_working_day: e.last_working_day,
    }
}

#[cfg(test)]
mod tests {
    use continuity_contract::{DepartmentCode, EmployeeId, Name};

    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn emp(dept: &str, status: EmployeeStatus, last: Option<&str>) -> Employee {
        Employee {
            employee_id: EmployeeId::parse("E1").unwrap(),
            name: Name::parse("Li Lei").unwrap(),
            department_code: DepartmentCode::parse(dept).unwrap(),
            hire_date: d("2020-01-01"),
            status,
            last_working_day: last.map(d),
        }
    }

    fn kinds(p: &[Published]) -> Vec<&'static str> {
        p.iter()
            .map(|p| match p {
                Published::Upserted(_) => "upserted",
                Published::Resigned(_) => "resigned",
                Published::ResignationRescinded(_) => "rescinded",
                Published::Transferred(_) => "transferred",
                Published::Left(_) => "left",
            })
            .collect()
    }

    fn facts() -> Facts {
        Facts::on(d("2026-11-28"))
    }

    use EmployeeStatus::{Active, Leaving, Left};

    #[test]
    fn nothing_changed_publishes_nothing() {
        let e = emp("sales", Active, None);
        assert!(transitions(Some(&e), &e, &facts()).is_empty());
    }

    #[test]
    fn a_new_employee_is_upserted_and_a_new_leaver_also_resigned() {
        let new = emp("sales", Active, None);
        assert_eq!(kinds(&transitions(None, &new, &facts())), ["upserted"]);
        let leaving = emp("sales", Leaving, Some("2027-01-31"));
        assert_eq!(
            kinds(&transitions(None, &leaving, &facts())),
            ["upserted", "resigned"]
        );
        let gone = emp("sales", Left, Some("2020-06-30"));
        assert_eq!(kinds(&transitions(None, &gone, &facts())), ["upserted"]);
    }

    #[test]
    fn an_active_employee_given_a_last_working_day_resigns_with_the_facts_given() {
        let before = emp("sales", Active, None);
        let after = emp("sales", Leaving, Some("2027-01-31"));
        let out = transitions(Some(&before), &after, &facts());
        assert_eq!(kinds(&out), ["upserted", "resigned"]);
        let Published::Resigned(r) = &out[1] else {
            panic!()
        };
        assert_eq!(
            (r.notice_date, r.last_working_day),
            (d("2026-11-28"), d("2027-01-31"))
        );
        let told = Facts {
            notice_date: Some(d("2026-11-20")),
            reason: Some(Reason::parse("moving").unwrap()),
            ..facts()
        };
        let Published::Resigned(r) = &transitions(Some(&before), &after, &told)[1] else {
            panic!()
        };
        assert_eq!(r.notice_date, d("2026-11-20"));
        assert_eq!(r.reason.as_ref().unwrap().as_str(), "moving");
    }

    #[test]
    fn a_moved_last_working_day_is_no_second_resignation() {
        let before = emp("sales", Leaving, Some("2027-01-31"));
        let after = emp("sales", Leaving, Some("2026-12-15"));
        assert_eq!(
            kinds(&transitions(Some(&before), &after, &facts())),
            ["upserted"]
        );
    }

    #[test]
    fn leaving_back_to_active_is_a_rescinded_resignation() {
        let before = emp("sales", Leaving, Some("2027-01-31"));
        let after = emp("sales", Active, None);
        assert_eq!(
            kinds(&transitions(Some(&before), &after, &facts())),
            ["upserted", "rescinded"]
        );
    }

    #[test]
    fn becoming_left_from_active_or_leaving_publishes_left_once() {
        let gone = emp("sales", Left, Some("2026-11-27"));
        for before in [
            emp("sales", Active, None),
            emp("sales", Leaving, Some("2026-11-27")),
        ] {
            let out = transitions(Some(&before), &gone, &facts());
            assert_eq!(kinds(&out), ["upserted", "left"]);
        }
        let renamed = Employee {
            name: Name::parse("Li Lei Jr").unwrap(),
            ..gone.clone()
        };
        assert_eq!(
            kinds(&transitions(Some(&gone), &renamed, &facts())),
            ["upserted"]
        );
    }

    #[test]
    fn another_department_is_a_transfer_effective_when_hr_says() {
        let before = emp("sales", Active, None);
        let after = emp("quality", Active, None);
        let told = Facts {
            effective_date: Some(d("2026-12-01")),
            ..facts()
        };
        let out = transitions(Some(&before), &after, &told);
        assert_eq!(kinds(&out), ["upserted", "transferred"]);
        let Published::Transferred(t) = &out[1] else {
            panic!()
        };
        assert_eq!(t.from_department_code.as_str(), "sales");
        assert_eq!(t.effective_date, d("2026-12-01"));
    }
}
