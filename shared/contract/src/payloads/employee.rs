//! `employee.*`: the roster, as its owner keeps it. Every event of one person has the
//! subject `employee/{id}`, so a consumer sees them in the order they happened.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{DepartmentCode, EmployeeId, EmployeeStatus, EventData, EventType, Name, Reason};

/// A person was hired or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EmployeeUpserted {
    pub employee_id: EmployeeId,
    pub name: Name,
    pub department_code: DepartmentCode,
    #[serde(with = "crate::date::bounded_opt", default)]
    pub hire_date: Option<NaiveDate>,
    pub status: EmployeeStatus,
    #[serde(with = "crate::date::bounded_opt", default)]
    pub last_working_day: Option<NaiveDate>,
}

/// A person gave notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EmployeeResigned {
    pub employee_id: EmployeeId,
    pub department_code: DepartmentCode,
    #[serde(with = "crate::date::bounded")]
    pub notice_date: NaiveDate,
    #[serde(with = "crate::date::bounded")]
    pub last_working_day: NaiveDate,
    #[serde(default)]
    pub reason: Option<Reason>,
}

/// A person withdrew their notice and stays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EmployeeResignationRescinded {
    pub employee_id: EmployeeId,
}

/// A person moved to another department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EmployeeTransferred {
    pub employee_id: EmployeeId,
    pub from_department_code: DepartmentCode,
    pub department_code: DepartmentCode,
    #[serde(with = "crate::date::bounded")]
    pub effective_date: NaiveDate,
}

/// A person has gone: published the day after the last working day, or at once for a
/// termination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EmployeeLeft {
    pub employee_id: EmployeeId,
    pub department_code: DepartmentCode,
    #[serde(with = "crate::date::bounded")]
    pub last_working_day: NaiveDate,
}

macro_rules! employee_subject {
    ($($t:ident),+) => {$(
        impl EventData for $t {
            const TYPE: EventType = EventType::$t;
            fn subject(&self) -> String {
                format!("employee/{}", self.employee_id)
            }
        }
    )+};
}
employee_subject!(
    EmployeeUpserted,
    EmployeeResigned,
    EmployeeResignationRescinded,
    EmployeeTransferred,
    EmployeeLeft
);

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::payloads::testing::*;

    fn upserted() -> EmployeeUpserted {
        EmployeeUpserted {
            employee_id: employee("E-1001"),
            name: name("李雷"),
            department_code: department("sales"),
            hire_date: Some(day(2021, 3, 1)),
            status: EmployeeStatus::Leaving,
            last_working_day: Some(day(2025, 6, 30)),
        }
    }

    fn resigned() -> EmployeeResigned {
        EmployeeResigned {
            employee_id: employee("E-1001"),
            department_code: department("sales"),
            notice_date: day(2025, 5, 30),
            last_working_day: day(2025, 6, 30),
            reason: Some(reason("Moving abroad.\nWill help remotely.")),
        }
    }

    #[test]
    fn an_upserted_employee_with_an_unknown_status_is_refused() {
        let json = serde_json::to_value(upserted()).unwrap();
        let err = refused::<EmployeeUpserted>(with(&json, "status", json!("pwned")));
        assert!(err.contains("unknown variant `pwned`"), "{err}");
        refused::<EmployeeUpserted>(with(&json, "status", json!(null)));
        refused::<EmployeeUpserted>(with(&json, "status", json!("Active")));
    }

    #[test]
    fn an_upserted_employee_with_a_long_or_path_like_id_is_refused() {
        let json = serde_json::to_value(upserted()).unwrap();
        for bad in [&"E".repeat(5000), "../../x", ".", "..", "", "E 1", "E/1"] {
            let err = refused::<EmployeeUpserted>(with(&json, "employee_id", json!(bad)));
            assert!(err.contains("must be 1 to 64 characters"), "{err}");
        }
        refused::<EmployeeUpserted>(with(&json, "employee_id", json!(1001)));
    }

    #[test]
    fn an_upserted_employee_with_a_control_character_in_the_name_is_refused() {
        let json = serde_json::to_value(upserted()).unwrap();
        for bad in [
            "Li\u{0}Lei",
            "Li\nLei",
            "Li\u{1b}[31mLei",
            "",
            &"x".repeat(201),
        ] {
            refused::<EmployeeUpserted>(with(&json, "name", json!(bad)));
        }
    }

    #[test]
    fn an_upserted_employee_with_a_date_outside_1900_to_9999_is_refused() {
        let json = serde_json::to_value(upserted()).unwrap();
        for field in ["hire_date", "last_working_day"] {
            for bad in [
                "10000-01-01",
                "+10000-01-01",
                "1899-12-31",
                "2025-13-01",
                "today",
            ] {
                let err = refused::<EmployeeUpserted>(with(&json, field, json!(bad)));
                assert!(err.contains("YYYY-MM-DD"), "{err}");
            }
        }
    }

    #[test]
    fn a_resignation_with_bad_dates_a_bad_department_or_an_empty_reason_is_refused() {
        let json = serde_json::to_value(resigned()).unwrap();
        refused::<EmployeeResigned>(with(&json, "notice_date", json!("1899-12-31")));
        refused::<EmployeeResigned>(with(&json, "last_working_day", json!("10000-01-01")));
        refused::<EmployeeResigned>(with(&json, "last_working_day", json!(null)));
        refused::<EmployeeResigned>(with(&json, "department_code", json!("Sales")));
        refused::<EmployeeResigned>(with(&json, "reason", json!(" ")));
        refused::<EmployeeResigned>(with(&json, "reason", json!("a\u{7}b")));
        refused::<EmployeeResigned>(with(&json, "reason", json!("x".repeat(2001))));
    }

    #[test]
    fn employee_events_need_their_required_fields_and_ignore_unknown_ones() {
        let json = serde_json::to_value(upserted()).unwrap();
        assert_required_fields::<EmployeeUpserted>(&json, &["hire_date", "last_working_day"]);
        let json = serde_json::to_value(resigned()).unwrap();
        assert_required_fields::<EmployeeResigned>(&json, &["reason"]);
        assert_required_fields::<EmployeeResignationRescinded>(&json!({"employee_id": "E-1"}), &[]);
        let json = json!({
            "employee_id": "E-1", "from_department_code": "sales",
            "department_code": "quality", "effective_date": "2025-07-01"
        });
        assert_required_fields::<EmployeeTransferred>(&json, &[]);
        let json = json!({
            "employee_id": "E-1", "department_code": "sales", "last_working_day": "2025-06-30"
        });
        assert_required_fields::<EmployeeLeft>(&json, &[]);
    }

    #[test]
    fn employee_events_round_trip_with_the_contract_field_names() {
        round_trip(
            &upserted(),
            &[
                "employee_id",
                "name",
                "department_code",
                "hire_date",
                "status",
                "last_working_day",
            ],
        );
        let newcomer = EmployeeUpserted {
            hire_date: None,
            last_working_day: None,
            status: EmployeeStatus::Active,
            ..upserted()
        };
        let json = round_trip(
            &newcomer,
            &[
                "employee_id",
                "name",
                "department_code",
                "hire_date",
                "status",
                "last_working_day",
            ],
        );
        assert_eq!(json["hire_date"], json!(null));
        round_trip(
            &resigned(),
            &[
                "employee_id",
                "department_code",
                "notice_date",
                "last_working_day",
                "reason",
            ],
        );
        round_trip(
            &EmployeeResignationRescinded {
                employee_id: employee("E-1001"),
            },
            &["employee_id"],
        );
        round_trip(
            &EmployeeTransferred {
                employee_id: employee("E-1001"),
                from_department_code: department("sales"),
                department_code: department("quality"),
                effective_date: day(2025, 7, 1),
            },
            &[
                "employee_id",
                "from_department_code",
                "department_code",
                "effective_date",
            ],
        );
        round_trip(
            &EmployeeLeft {
                employee_id: employee("E-1001"),
                department_code: department("sales"),
                last_working_day: day(2025, 6, 30),
            },
            &["employee_id", "department_code", "last_working_day"],
        );
    }

    #[test]
    fn every_employee_event_of_one_person_shares_the_subject() {
        assert_eq!(upserted().subject(), "employee/E-1001");
        assert_eq!(resigned().subject(), "employee/E-1001");
        let left = EmployeeLeft {
            employee_id: employee("E-1001"),
            department_code: department("sales"),
            last_working_day: day(2025, 6, 30),
        };
        assert_eq!(left.subject(), "employee/E-1001");
    }
}
