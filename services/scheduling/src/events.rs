//! The event types scheduling takes and from whom, in one place: answered at
//! `GET /v1/events/subscriptions`, what producers deliver to it, and what its inbox checks.

use continuity_contract::EventType;
use continuity_shared::service::Subscription;

/// The service whose roster scheduling copies.
pub const ROSTER_PRODUCER: &str = "staffing";
const STAFFING: &[&str] = &[ROSTER_PRODUCER];

pub const SUBSCRIPTIONS: &[Subscription] = &[
    // The roster copy.
    Subscription::new(EventType::DepartmentUpserted, STAFFING),
    Subscription::new(EventType::EmployeeUpserted, STAFFING),
    Subscription::new(EventType::EmployeeResigned, STAFFING),
    Subscription::new(EventType::EmployeeResignationRescinded, STAFFING),
    Subscription::new(EventType::EmployeeTransferred, STAFFING),
    Subscription::new(EventType::EmployeeLeft, STAFFING),
    Subscription::new(EventType::ProjectUpserted, STAFFING),
    Subscription::new(EventType::TeamMemberAdded, STAFFING),
    Subscription::new(EventType::TeamMemberRemoved, STAFFING),
];
