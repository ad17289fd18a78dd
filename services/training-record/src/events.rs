//! The event types training-record takes, in one place: answered at
//! `GET /v1/events/subscriptions`, and what producers deliver to it.

use continuity_contract::EventType;

pub const SUBSCRIPTIONS: &[EventType] = &[
    // The roster copy.
    EventType::DepartmentUpserted,
    EventType::EmployeeUpserted,
    EventType::EmployeeResigned,
    EventType::EmployeeResignationRescinded,
    EventType::EmployeeTransferred,
    EventType::EmployeeLeft,
    EventType::ProjectUpserted,
    EventType::TeamMemberAdded,
    EventType::TeamMemberRemoved,
    // Handovers that staffing opens when someone leaves.
    EventType::HandoverOpened,
    EventType::HandoverSuccessorAssigned,
    EventType::HandoverCancelled,
    EventType::HandoverCompleted,
];
