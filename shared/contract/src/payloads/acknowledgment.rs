//! `acknowledgment.overdue`: a person has not acknowledged a published notice of process
//! changes in time.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{DepartmentCode, EmployeeId, EventData, EventType, NoticeId};

/// A notice has waited too long for one person's acknowledgment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AcknowledgmentOverdue {
    pub notice_id: NoticeId,
    pub employee_id: EmployeeId,
    pub department_code: DepartmentCode,
    #[serde(with = "crate::date::bounded")]
    pub published_on: NaiveDate,
    /// Days since `published_on`.
    pub days_pending: u32,
}

impl EventData for AcknowledgmentOverdue {
    const TYPE: EventType = EventType::AcknowledgmentOverdue;
    fn subject(&self) -> String {
        format!("acknowledgment/{}/{}", self.notice_id, self.employee_id)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::payloads::testing::*;

    fn sample() -> AcknowledgmentOverdue {
        AcknowledgmentOverdue {
            notice_id: notice(),
            employee_id: employee("E-1003"),
            department_code: department("after_sales"),
            published_on: day(2025, 5, 2),
            days_pending: 14,
        }
    }

    #[test]
    fn an_overdue_acknowledgment_with_bad_ids_dates_or_counts_is_refused() {
        let json = serde_json::to_value(sample()).unwrap();
        refused::<AcknowledgmentOverdue>(with(&json, "notice_id", json!("n-1")));
        refused::<AcknowledgmentOverdue>(with(&json, "employee_id", json!("E".repeat(5000))));
        refused::<AcknowledgmentOverdue>(with(&json, "department_code", json!("")));
        refused::<AcknowledgmentOverdue>(with(&json, "published_on", json!("10000-01-01")));
        refused::<AcknowledgmentOverdue>(with(&json, "days_pending", json!(-14)));
        refused::<AcknowledgmentOverdue>(with(&json, "days_pending", json!(1e10)));
    }

    #[test]
    fn an_overdue_acknowledgment_needs_every_field() {
        let json = serde_json::to_value(sample()).unwrap();
        assert_required_fields::<AcknowledgmentOverdue>(&json, &[]);
    }

    #[test]
    fn an_overdue_acknowledgment_round_trips_with_the_contract_field_names() {
        let value = sample();
        round_trip(
            &value,
            &[
                "notice_id",
                "employee_id",
                "department_code",
                "published_on",
                "days_pending",
            ],
        );
        assert_eq!(value.subject(), format!("acknowledgment/{NOTICE}/E-1003"));
    }
}
