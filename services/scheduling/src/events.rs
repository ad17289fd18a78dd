//! The event types scheduling takes and from whom, in one place: answered at
//! `GET /v1/events/subscriptions`, what producers deliver to it, and what its inbox checks.

use continuity_shared::roster;
use continuity_shared::service::Subscription;

/// The service whose roster scheduling copies.
pub const ROSTER_PRODUCER: &str = "staffing";
const STAFFING: &[&str] = &[ROSTER_PRODUCER];

pub const SUBSCRIPTIONS: &[&[Subscription]] = &[ROSTER];

/// The roster copy.
const ROSTER: &[Subscription] = &roster::subscriptions_from(STAFFING);
