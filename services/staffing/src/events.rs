//! The event types staffing takes, in one place: answered at
//! `GET /v1/events/subscriptions`, and what producers deliver to it.

use continuity_contract::EventType;

pub const SUBSCRIPTIONS: &[EventType] = &[
    // How far the successor of a handover has got with training and acknowledgments.
    EventType::HandoverProgressed,
];
