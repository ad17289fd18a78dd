//! The event types of the contract and the trait that ties each payload to its type.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::string_enum::string_enum;

string_enum! {
    /// Every event type in the contract's table, written as its dotted name.
    pub enum EventType {
        DepartmentUpserted = "department.upserted",
        EmployeeUpserted = "employee.upserted",
        EmployeeResigned = "employee.resigned",
        EmployeeResignationRescinded = "employee.resignation_rescinded",
        EmployeeTransferred = "employee.transferred",
        EmployeeLeft = "employee.left",
        ProjectUpserted = "project.upserted",
        TeamMemberAdded = "team_member.added",
        TeamMemberRemoved = "team_member.removed",
        CoverageChanged = "coverage.changed",
        HandoverOpened = "handover.opened",
        HandoverSuccessorAssigned = "handover.successor_assigned",
        HandoverCancelled = "handover.cancelled",
        HandoverCompleted = "handover.completed",
        HandoverProgressed = "handover.progressed",
        TrainingProgressed = "training.progressed",
        CatchupOverdue = "catchup.overdue",
        AcknowledgmentOverdue = "acknowledgment.overdue",
        ScheduleRiskChanged = "schedule.risk_changed",
    }
}

/// A payload of one event type. Reading it (`serde_json::from_value`) is its validation:
/// a value that deserializes is one the contract allows.
pub trait EventData: Serialize + DeserializeOwned {
    const TYPE: EventType;
    /// Bumped only for a change old readers cannot take; adding a field is not one.
    const VERSION: u32 = 1;

    /// The entity the event is about. Events of one entity share a subject, and delivery
    /// keeps order per subject.
    fn subject(&self) -> String;

    /// The payload as JSON, read back once as a consumer would read it, so a producer
    /// cannot store an event every consumer would refuse (a count above its limit, say).
    fn encode(&self) -> Result<serde_json::Value, serde_json::Error> {
        let value = serde_json::to_value(self)?;
        Self::deserialize(&value)?;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_parses_back_from_its_name() {
        assert_eq!(EventType::ALL.len(), 19);
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(t));
            assert_eq!(t.to_string(), t.as_str());
            let json = serde_json::to_value(t).unwrap();
            assert_eq!(json, t.as_str());
            assert_eq!(serde_json::from_value::<EventType>(json).unwrap(), t);
        }
    }

    #[test]
    fn every_event_type_name_is_distinct() {
        let mut names = EventType::NAMES.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EventType::ALL.len());
    }

    #[test]
    fn unknown_or_misspelt_event_types_are_refused() {
        for bad in [
            "",
            "employee",
            "employee.hired",
            "Employee.Upserted",
            "employee_upserted",
            "employee.upserted ",
            "schedule.risk-changed",
        ] {
            assert_eq!(EventType::parse(bad), None, "{bad:?}");
            assert!(serde_json::from_value::<EventType>(bad.into()).is_err());
        }
    }
}
