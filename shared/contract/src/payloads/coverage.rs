//! `coverage.changed`: a department's coverage on a project moved to another status.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{CoverageStatus, DepartmentCode, EventData, EventType, ProjectId};

/// A department's coverage status on a project changed, as seen on `on`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CoverageChanged {
    pub project_id: ProjectId,
    pub department_code: DepartmentCode,
    /// `null` the first time the department is assessed on the project.
    #[serde(default)]
    pub old_status: Option<CoverageStatus>,
    pub new_status: CoverageStatus,
    /// Effective members the department must have.
    pub required: u32,
    /// Effective members it has on `on`.
    pub effective: u32,
    #[serde(with = "crate::date::bounded")]
    pub on: NaiveDate,
}

impl EventData for CoverageChanged {
    const TYPE: EventType = EventType::CoverageChanged;
    fn subject(&self) -> String {
        format!("coverage/{}/{}", self.project_id, self.department_code)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::payloads::testing::*;

    fn sample() -> CoverageChanged {
        CoverageChanged {
            project_id: project(),
            department_code: department("quality"),
            old_status: Some(CoverageStatus::Ok),
            new_status: CoverageStatus::SinglePoint,
            required: 2,
            effective: 1,
            on: day(2025, 6, 1),
        }
    }

    const KEYS: [&str; 7] = [
        "project_id",
        "department_code",
        "old_status",
        "new_status",
        "required",
        "effective",
        "on",
    ];

    #[test]
    fn a_coverage_change_with_a_bad_status_count_or_date_is_refused() {
        let json = serde_json::to_value(sample()).unwrap();
        refused::<CoverageChanged>(with(&json, "new_status", json!("fine")));
        refused::<CoverageChanged>(with(&json, "new_status", json!(null)));
        refused::<CoverageChanged>(with(&json, "old_status", json!("worse")));
        for bad in [json!(-1), json!(1.5), json!(4_294_967_296u64), json!("2")] {
            refused::<CoverageChanged>(with(&json, "required", bad.clone()));
            refused::<CoverageChanged>(with(&json, "effective", bad));
        }
        refused::<CoverageChanged>(with(&json, "on", json!("1899-12-31")));
        refused::<CoverageChanged>(with(&json, "on", json!("10000-01-01")));
    }

    #[test]
    fn a_coverage_change_needs_its_required_fields_and_ignores_unknown_ones() {
        let json = serde_json::to_value(sample()).unwrap();
        assert_required_fields::<CoverageChanged>(&json, &["old_status"]);
    }

    #[test]
    fn a_coverage_change_round_trips_with_the_contract_field_names() {
        let json = round_trip(&sample(), &KEYS);
        assert_eq!(json["new_status"], json!("single_point"));
        let first = CoverageChanged {
            old_status: None,
            ..sample()
        };
        round_trip(&first, &KEYS);
        assert_eq!(first.subject(), format!("coverage/{PROJECT}/quality"));
    }
}
