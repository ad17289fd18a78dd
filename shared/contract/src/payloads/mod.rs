//! The payloads of the contract's event table, version 1: one type per event type,
//! each field typed so that reading the payload validates it. They carry ids and what
//! the receivers need, no more personal data than that.
//!
//! Readers are tolerant: a field they do not know is ignored, so a producer may add one
//! without a new version. A field they need is never defaulted.

mod acknowledgment;
mod coverage;
mod department;
mod employee;
mod handover;
mod project;
mod schedule;
mod training;

#[cfg(test)]
mod testing;

pub use acknowledgment::AcknowledgmentOverdue;
pub use coverage::CoverageChanged;
pub use department::DepartmentUpserted;
pub use employee::{
    EmployeeLeft, EmployeeResignationRescinded, EmployeeResigned, EmployeeTransferred,
    EmployeeUpserted,
};
pub use handover::{
    HandoverCancelled, HandoverCompleted, HandoverOpened, HandoverProgressed,
    HandoverSuccessorAssigned,
};
pub use project::{ProjectUpserted, TeamMember, TeamMemberAdded, TeamMemberRemoved};
pub use schedule::ScheduleRiskChanged;
pub use training::{CatchupOverdue, TrainingProgressed};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EventData, EventType};

    #[test]
    fn every_event_type_has_exactly_one_payload() {
        let mut types = vec![
            DepartmentUpserted::TYPE,
            EmployeeUpserted::TYPE,
            EmployeeResigned::TYPE,
            EmployeeResignationRescinded::TYPE,
            EmployeeTransferred::TYPE,
            EmployeeLeft::TYPE,
            ProjectUpserted::TYPE,
            TeamMemberAdded::TYPE,
            TeamMemberRemoved::TYPE,
            CoverageChanged::TYPE,
            HandoverOpened::TYPE,
            HandoverSuccessorAssigned::TYPE,
            HandoverCancelled::TYPE,
            HandoverCompleted::TYPE,
            HandoverProgressed::TYPE,
            TrainingProgressed::TYPE,
            CatchupOverdue::TYPE,
            AcknowledgmentOverdue::TYPE,
            ScheduleRiskChanged::TYPE,
        ];
        types.sort_by_key(|t| t.as_str());
        let mut all = EventType::ALL.to_vec();
        all.sort_by_key(|t| t.as_str());
        assert_eq!(types, all);
    }

    #[test]
    fn every_payload_is_version_1() {
        assert_eq!(EmployeeUpserted::VERSION, 1);
        assert_eq!(ScheduleRiskChanged::VERSION, 1);
    }
}
