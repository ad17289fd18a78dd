//! What the HR system tells staffing through its webhook: `{"type": T, "data": {...}}`,
//! parsed into the contract's types, or every field that is wrong.

use chrono::NaiveDate;
use continuity_contract::{DepartmentCode, EmployeeId, Name, Reason};
use continuity_shared::i18n::Text;
use continuity_shared::{FieldError, text};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A person gave notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HrResigned {
    pub employee_id: EmployeeId,
    #[serde(with = "continuity_contract::date::bounded")]
    pub notice_date: NaiveDate,
    #[serde(with = "continuity_contract::date::bounded")]
    pub last_working_day: NaiveDate,
    #[serde(default)]
    pub reason: Option<Reason>,
    /// A successor HR has named.
    #[serde(default)]
    pub successor_employee_id: Option<EmployeeId>,
}

/// A person withdrew their notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HrResignationRescinded {
    pub employee_id: EmployeeId,
}

/// A person was hired (or rehired).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HrHired {
    pub employee_id: EmployeeId,
    pub name: Name,
    pub department_code: DepartmentCode,
    #[serde(with = "continuity_contract::date::bounded")]
    pub hire_date: NaiveDate,
}

/// A person moved to another department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HrTransferred {
    pub employee_id: EmployeeId,
    pub department_code: DepartmentCode,
    #[serde(with = "continuity_contract::date::bounded")]
    pub effective_date: NaiveDate,
}

/// A person's employment ends (many HR systems say so only on the day itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HrTerminated {
    pub employee_id: EmployeeId,
    #[serde(with = "continuity_contract::date::bounded")]
    pub last_working_day: NaiveDate,
    /// A successor HR has named.
    #[serde(default)]
    pub successor_employee_id: Option<EmployeeId>,
}

/// One event from the HR system, as its body reads: `{"type": ..., "data": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", content = "data")]
pub enum HrEvent {
    #[serde(rename = "employee.resigned")]
    Resigned(HrResigned),
    #[serde(rename = "employee.resignation_rescinded")]
    ResignationRescinded(HrResignationRescinded),
    #[serde(rename = "employee.hired")]
    Hired(HrHired),
    #[serde(rename = "employee.transferred")]
    Transferred(HrTransferred),
    #[serde(rename = "employee.terminated")]
    Terminated(HrTerminated),
}

/// The types the webhook takes, as HR names them.
pub const TYPES: [&str; 5] = [
    "employee.resigned",
    "employee.resignation_rescinded",
    "employee.hired",
    "employee.transferred",
    "employee.terminated",
];

impl HrEvent {
    /// An event from its type and its `data`, or every problem, each named by its field
    /// (`type`, `data.last_working_day`).
    pub fn parse(event_type: &str, data: &serde_json::Value) -> Result<Self, Vec<FieldError>> {
        if !data.is_object() {
            return Err(vec![FieldError::new(
                "data",
                text!("must be an object", "须为对象"),
            )]);
        }
        let event = match event_type {
            "employee.resigned" => Self::Resigned(field_errors(data)?),
            "employee.resignation_rescinded" => Self::ResignationRescinded(field_errors(data)?),
            "employee.hired" => Self::Hired(field_errors(data)?),
            "employee.transferred" => Self::Transferred(field_errors(data)?),
            "employee.terminated" => Self::Terminated(field_errors(data)?),
            other => {
                let known = TYPES.join(", ");
                return Err(vec![FieldError::new(
                    "type",
                    text!(
                        "`{other}` is not an HR event type; one of {known}",
                        "`{other}` 不是 HR 事件类型；应为 {known} 之一"
                    ),
                )]);
            }
        };
        if let Self::Resigned(r) = &event
            && r.last_working_day < r.notice_date
        {
            return Err(vec![FieldError::new(
                "data.last_working_day",
                text!("cannot be before the notice date", "不能早于提出离职的日期"),
            )]);
        }
        Ok(event)
    }

    /// The type as HR names it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Resigned(_) => TYPES[0],
            Self::ResignationRescinded(_) => TYPES[1],
            Self::Hired(_) => TYPES[2],
            Self::Transferred(_) => TYPES[3],
            Self::Terminated(_) => TYPES[4],
        }
    }

    /// The person the event is about.
    pub fn employee_id(&self) -> &EmployeeId {
        match self {
            Self::Resigned(e) => &e.employee_id,
            Self::ResignationRescinded(e) => &e.employee_id,
            Self::Hired(e) => &e.employee_id,
            Self::Transferred(e) => &e.employee_id,
            Self::Terminated(e) => &e.employee_id,
        }
    }
}

/// Whether a stored event has had its effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HrEventStatus {
    /// Applied to the roster (also when it changed nothing).
    Applied,
    /// Not applied: the employee or department is unknown to staffing; replay it once
    /// HR has fixed the mapping.
    Unmatched,
    /// An HR source's event that carries only ids, waiting for the vendor's API to say
    /// what it means (retried with backoff; `problem` holds the last failure).
    Enriching,
}

impl HrEventStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Unmatched => "unmatched",
            Self::Enriching => "enriching",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "applied" => Some(Self::Applied),
            "unmatched" => Some(Self::Unmatched),
            "enriching" => Some(Self::Enriching),
            _ => None,
        }
    }
}

/// An event as staffing keeps it: what HR sent and what came of it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredHrEvent {
    /// A UUID v7 of staffing's.
    pub id: String,
    /// The sender's `webhook-id`: a delivery with a known one is not applied again.
    pub webhook_id: String,
    pub event_type: String,
    /// The `data` as HR sent it.
    pub data: serde_json::Value,
    pub received_at: chrono::DateTime<chrono::Utc>,
    pub status: HrEventStatus,
    /// Why an unmatched event could not be applied.
    pub problem: Option<String>,
    pub applied_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Failed attempts to enrich it through the vendor's API.
    pub attempts: u32,
    /// When an enriching event is tried next.
    pub next_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn field_errors<T: DeserializeOwned>(data: &serde_json::Value) -> Result<T, Vec<FieldError>> {
    serde_path_to_error::deserialize(data).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let field = match (path.as_str(), missing_field(&message)) {
            ("." | "", Some(f)) => format!("data.{f}"),
            ("." | "", None) => "data".to_owned(),
            (p, _) => format!("data.{p}"),
        };
        vec![FieldError::new(field, Text::new(message.clone(), message))]
    })
}

/// serde names a missing field only in its message: "missing field `name`".
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn each_type_parses_into_its_contract_types() {
        let e = HrEvent::parse(
            "employee.resigned",
            &json!({"employee_id": "E1", "notice_date": "2026-11-01",
                    "last_working_day": "2026-12-31", "successor_employee_id": "E2"}),
        )
        .unwrap();
        assert_eq!(e.type_name(), "employee.resigned");
        assert_eq!(e.employee_id().as_str(), "E1");
        let e = HrEvent::parse(
            "employee.resignation_rescinded",
            &json!({"employee_id": "E1"}),
        );
        assert!(e.is_ok());
    }

    #[test]
    fn an_unknown_type_is_refused_naming_type() {
        let err = HrEvent::parse("employee.promoted", &json!({"employee_id": "E1"})).unwrap_err();
        assert_eq!(err[0].field, "type");
    }

    #[test]
    fn bad_or_missing_fields_are_named_under_data() {
        let err = HrEvent::parse(
            "employee.hired",
            &json!({"employee_id": "../x", "name": "A", "department_code": "sales", "hire_date": "2026-01-01"}),
        )
        .unwrap_err();
        assert_eq!(err[0].field, "data.employee_id");
        let err = HrEvent::parse("employee.hired", &json!({"employee_id": "E1"})).unwrap_err();
        assert_eq!(err[0].field, "data.name");
        let err = HrEvent::parse(
            "employee.terminated",
            &json!({"employee_id": "E1", "last_working_day": "31/12/2026"}),
        )
        .unwrap_err();
        assert_eq!(err[0].field, "data.last_working_day");
        let err = HrEvent::parse("employee.transferred", &json!([1, 2])).unwrap_err();
        assert_eq!(err[0].field, "data");
    }

    #[test]
    fn a_resignation_cannot_end_before_its_notice() {
        let err = HrEvent::parse(
            "employee.resigned",
            &json!({"employee_id": "E1", "notice_date": "2026-11-01", "last_working_day": "2026-10-31"}),
        )
        .unwrap_err();
        assert_eq!(err[0].field, "data.last_working_day");
    }
}
