//! The shared contract of the Continuity suite's events: identifiers, roles, closed sets
//! of values and one typed payload per event type.
//!
//! Everything here is parsed, not validated: a value that exists is valid, and reading a
//! payload with `serde_json::from_value` is the whole of its validation. The crate names
//! no service and knows no web framework or database, so every service and every
//! integrator's tooling can depend on it.
//!
//! ```
//! use continuity_contract::{EmployeeStatus, EmployeeUpserted, EventData, EventType};
//!
//! let data = serde_json::json!({
//!     "employee_id": "E-1001",
//!     "name": "Li Lei",
//!     "department_code": "sales",
//!     "hire_date": "2021-03-01",
//!     "status": "active",
//!     "last_working_day": null,
//! });
//! let event: EmployeeUpserted = serde_json::from_value(data.clone()).unwrap();
//! assert_eq!(event.status, EmployeeStatus::Active);
//! assert_eq!(event.subject(), "employee/E-1001");
//! assert_eq!(EmployeeUpserted::TYPE, EventType::EmployeeUpserted);
//!
//! let mut hostile = data;
//! hostile["employee_id"] = "../../x".into();
//! assert!(serde_json::from_value::<EmployeeUpserted>(hostile).is_err());
//! ```

mod bounds;
pub mod date;
mod enums;
mod event_type;
mod ids;
mod newtype;
pub mod payloads;
mod role;
mod string_enum;
mod text;

use utoipa::ToSchema;
use utoipa::openapi::{OpenApi, RefOr, schema::Schema};

pub use bounds::DoneAboveRequired;
pub use date::DateError;
pub use enums::{
    CoverageStatus, EmployeeStatus, HandoverPart, HandoverStatus, ProjectStatus, RiskLevel,
    TeamRole,
};
pub use event_type::{EventData, EventType};
pub use ids::{
    DepartmentCode, EmployeeId, HandoverId, IdError, NoticeId, ProcessChangeId, ProjectId,
    ServiceName, new_id,
};
pub use payloads::*;
pub use role::Role;
pub use text::{Name, Reason, TextError};

/// Adds the schema of every payload, and of every type they refer to, to the components
/// of an OpenAPI document, so integrators see what each event type carries.
pub fn document(doc: &mut OpenApi) {
    let mut schemas = Vec::new();
    add::<EventType>(&mut schemas);
    add::<DepartmentUpserted>(&mut schemas);
    add::<EmployeeUpserted>(&mut schemas);
    add::<EmployeeResigned>(&mut schemas);
    add::<EmployeeResignationRescinded>(&mut schemas);
    add::<EmployeeTransferred>(&mut schemas);
    add::<EmployeeLeft>(&mut schemas);
    add::<ProjectUpserted>(&mut schemas);
    add::<TeamMemberAdded>(&mut schemas);
    add::<TeamMemberRemoved>(&mut schemas);
    add::<CoverageChanged>(&mut schemas);
    add::<HandoverOpened>(&mut schemas);
    add::<HandoverSuccessorAssigned>(&mut schemas);
    add::<HandoverCancelled>(&mut schemas);
    add::<HandoverCompleted>(&mut schemas);
    add::<HandoverProgressed>(&mut schemas);
    add::<TrainingProgressed>(&mut schemas);
    add::<CatchupOverdue>(&mut schemas);
    add::<AcknowledgmentOverdue>(&mut schemas);
    add::<ScheduleRiskChanged>(&mut schemas);
    let components = doc.components.get_or_insert_with(Default::default);
    components.schemas.extend(schemas);
}

/// `T`'s schema and, recursively, those of the types it refers to.
fn add<T: ToSchema>(schemas: &mut Vec<(String, RefOr<Schema>)>) {
    schemas.push((T::name().into_owned(), T::schema()));
    T::schemas(schemas);
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use utoipa::openapi::{InfoBuilder, OpenApiBuilder};

    use super::*;

    fn documented() -> Value {
        let mut doc = OpenApiBuilder::new()
            .info(InfoBuilder::new().title("test").version("1").build())
            .build();
        document(&mut doc);
        serde_json::to_value(&doc).unwrap()
    }

    /// Every `$ref` anywhere under `value`.
    fn refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    out.push(r.clone());
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    #[test]
    fn the_document_has_a_schema_named_after_every_event_type() {
        let doc = documented();
        let schemas = &doc["components"]["schemas"];
        for t in EventType::ALL {
            // The payload types are named after the `EventType` variants.
            let name = format!("{t:?}");
            assert!(schemas.get(&name).is_some(), "no schema {name} for {t}");
        }
        assert_eq!(schemas["EventType"]["enum"].as_array().unwrap().len(), 19);
    }

    #[test]
    fn every_reference_in_the_document_resolves_to_a_schema() {
        let doc = documented();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(!found.is_empty());
        for r in found {
            let name = r.trim_start_matches("#/components/schemas/");
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "dangling {r}"
            );
        }
    }

    #[test]
    fn id_and_text_schemas_state_their_limits() {
        let doc = documented();
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["EmployeeId"]["pattern"], "^[A-Za-z0-9._-]{1,64}$");
        assert_eq!(schemas["ProjectId"]["format"], "uuid");
        assert_eq!(schemas["Name"]["maxLength"], 200);
        let project = &schemas["ProjectUpserted"]["properties"];
        assert_eq!(project["stabilization_months"]["maximum"], 36);
    }
}
