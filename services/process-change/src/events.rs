//! The event types process-change takes and from whom, in one place: answered at
//! `GET /v1/events/subscriptions`, what producers deliver to it, and what its inbox checks.

use continuity_contract::EventType;
use continuity_shared::roster;
use continuity_shared::service::Subscription;

/// The service whose roster process-change copies.
pub const ROSTER_PRODUCER: &str = "staffing";
const STAFFING: &[&str] = &[ROSTER_PRODUCER];

pub const SUBSCRIPTIONS: &[&[Subscription]] = &[ROSTER, HANDOVERS];

/// The roster copy.
const ROSTER: &[Subscription] = &roster::subscriptions_from(STAFFING);

/// Handovers that staffing opens when someone leaves.
const HANDOVERS: &[Subscription] = &[
    Subscription::new(EventType::HandoverOpened, STAFFING),
    Subscription::new(EventType::HandoverSuccessorAssigned, STAFFING),
    Subscription::new(EventType::HandoverCancelled, STAFFING),
    Subscription::new(EventType::HandoverCompleted, STAFFING),
];
