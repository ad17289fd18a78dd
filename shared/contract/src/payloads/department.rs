//! `department.upserted`: a department as the owner of the roster keeps it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{DepartmentCode, EventData, EventType, Name};

/// A department was created or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DepartmentUpserted {
    pub code: DepartmentCode,
    pub name: Name,
    /// A key department is one a project cannot go live without.
    pub key: bool,
    /// Effective members each project needs from this department.
    #[serde(deserialize_with = "crate::bounds::u32_in::<_, 1, 100>")]
    #[schema(minimum = 1, maximum = 100)]
    pub min_project_members: u32,
}

impl EventData for DepartmentUpserted {
    const TYPE: EventType = EventType::DepartmentUpserted;
    fn subject(&self) -> String {
        format!("department/{}", self.code)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::payloads::testing::*;

    fn sample() -> DepartmentUpserted {
        DepartmentUpserted {
            code: department("after_sales"),
            name: name("After-sales"),
            key: true,
            min_project_members: 2,
        }
    }

    #[test]
    fn a_department_with_a_bad_code_name_or_member_count_is_refused() {
        let json = serde_json::to_value(sample()).unwrap();
        refused::<DepartmentUpserted>(with(&json, "code", json!("After Sales")));
        refused::<DepartmentUpserted>(with(&json, "code", json!("../x")));
        refused::<DepartmentUpserted>(with(&json, "name", json!("A\u{1b}[2J")));
        refused::<DepartmentUpserted>(with(&json, "name", json!("   ")));
        refused::<DepartmentUpserted>(with(&json, "key", json!("yes")));
        for bad in [
            json!(0),
            json!(-1),
            json!(101),
            json!(1u64 << 40),
            json!(2.5),
        ] {
            refused::<DepartmentUpserted>(with(&json, "min_project_members", bad));
        }
        let err = refused::<DepartmentUpserted>(with(&json, "min_project_members", json!(101)));
        assert!(err.contains("must be from 1 to 100, not 101"), "{err}");
    }

    #[test]
    fn a_department_needs_every_field() {
        let json = serde_json::to_value(sample()).unwrap();
        assert_required_fields::<DepartmentUpserted>(&json, &[]);
    }

    #[test]
    fn a_department_round_trips_with_the_contract_field_names() {
        let value = sample();
        round_trip(&value, &["code", "name", "key", "min_project_members"]);
        assert_eq!(value.subject(), "department/after_sales");
    }
}
