//! Employees and the status their last working day implies.

use chrono::NaiveDate;
pub use continuity_contract::EmployeeStatus;
use continuity_contract::{DepartmentCode, EmployeeId, Name};
use continuity_shared::{FieldError, text};

use super::department::parse_name;

/// The status a leave date implies on `today`: none is active, a future one leaving,
/// a past one (or today, the last day) left only once it is behind us.
pub fn status_on(leave: Option<NaiveDate>, today: NaiveDate) -> EmployeeStatus {
    match leave {
        None => EmployeeStatus::Active,
        Some(d) if d >= today => EmployeeStatus::Leaving,
        Some(_) => EmployeeStatus::Left,
    }
}

/// A person on the roster; serialized as the audit trail records it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Employee {
    pub employee_id: EmployeeId,
    pub name: Name,
    pub department_code: DepartmentCode,
    pub hire_date: NaiveDate,
    pub status: EmployeeStatus,
    pub last_working_day: Option<NaiveDate>,
}

impl Employee {
    /// An employee from what a client sent: leaving and left need a last working day,
    /// active has none, and nobody leaves before being hired.
    pub fn new(
        employee_id: EmployeeId,
        name: &str,
        department_code: DepartmentCode,
        hire_date: NaiveDate,
        status: EmployeeStatus,
        last_working_day: Option<NaiveDate>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = parse_name(name).map_err(|e| errors.push(e)).ok();
        match (status, last_working_day) {
            (EmployeeStatus::Active, Some(_)) => errors.push(FieldError::new(
                "last_working_day",
                text!(
                    "an active employee has no last working day; use status leaving",
                    "在职员工没有最后工作日；请将状态设为 leaving"
                ),
            )),
            (EmployeeStatus::Leaving | EmployeeStatus::Left, None) => errors.push(FieldError::new(
                "last_working_day",
                text!(
                    "is required when the status is leaving or left",
                    "状态为 leaving 或 left 时必填"
                ),
            )),
            (_, Some(day)) if day < hire_date => errors.push(FieldError::new(
                "last_working_day",
                text!("cannot be before the hire date", "不能早于入职日期"),
            )),
            _ => {}
        }
        match name {
            Some(name) if errors.is_empty() => Ok(Self {
                employee_id,
                name,
                department_code,
                hire_date,
                status,
                last_working_day,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn make(status: EmployeeStatus, lwd: Option<&str>) -> Result<Employee, Vec<FieldError>> {
        Employee::new(
            EmployeeId::parse("E1").unwrap(),
            "Li Lei",
            DepartmentCode::parse("sales").unwrap(),
            d("2020-01-01"),
            status,
            lwd.map(d),
        )
    }

    #[test]
    fn leaving_requires_a_last_working_day_and_active_forbids_one() {
        assert!(make(EmployeeStatus::Leaving, Some("2027-01-31")).is_ok());
        assert_eq!(
            make(EmployeeStatus::Leaving, None).unwrap_err()[0].field,
            "last_working_day"
        );
        assert_eq!(
            make(EmployeeStatus::Active, Some("2027-01-31")).unwrap_err()[0].field,
            "last_working_day"
        );
    }

    #[test]
    fn nobody_leaves_before_being_hired() {
        assert!(make(EmployeeStatus::Left, Some("2019-12-31")).is_err());
    }

    #[test]
    fn the_leave_date_implies_the_status() {
        let today = d("2026-11-28");
        assert_eq!(status_on(None, today), EmployeeStatus::Active);
        assert_eq!(status_on(Some(today), today), EmployeeStatus::Leaving);
        assert_eq!(
            status_on(Some(d("2026-11-27")), today),
            EmployeeStatus::Left
        );
    }
}
