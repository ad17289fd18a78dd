//! The event types staffing takes and from whom, in one place: answered at
//! `GET /v1/events/subscriptions`, what producers deliver to it, and what its inbox checks.

use continuity_contract::EventType;
use continuity_shared::service::Subscription;

pub const SUBSCRIPTIONS: &[&[Subscription]] = &[&[
    // How far the successor of a handover has got with training and acknowledgments.
    Subscription::new(
        EventType::HandoverProgressed,
        &["training-record", "process-change"],
    ),
]];
