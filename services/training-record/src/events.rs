//! The event types training-record takes and from whom, in one place: answered at
//! `GET /v1/events/subscriptions`, what producers deliver to it, and what its inbox checks;
//! and what it does with them.

use continuity_contract::EventType;
use continuity_contract::payloads::{
    HandoverCancelled, HandoverCompleted, HandoverSuccessorAssigned,
};
use continuity_shared::ApiResult;
use continuity_shared::audit::AuditContext;
use continuity_shared::clock::Clock;
use continuity_shared::db::DbConnection;
use continuity_shared::events::{CloudEvent, EventHandler};
use continuity_shared::roster;
use continuity_shared::service::Subscription;

use crate::service::handovers;
use crate::settings::Rules;

/// The service whose roster training-record copies.
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

/// Applies staffing's handover events, each in the inbox's transaction.
pub struct TrainingEvents {
    pub clock: Clock,
    pub rules: Rules,
}

impl EventHandler for TrainingEvents {
    fn apply(&self, conn: &mut DbConnection, event: &CloudEvent) -> ApiResult<bool> {
        let ctx = AuditContext::for_event(&event.source, &event.id, self.clock.now());
        match EventType::parse(&event.event_type) {
            Some(EventType::HandoverSuccessorAssigned) => {
                let e: HandoverSuccessorAssigned = event.payload()?;
                handovers::successor_assigned_in(conn, &e, &ctx, &self.rules)?;
                Ok(true)
            }
            Some(EventType::HandoverCancelled) => {
                let e: HandoverCancelled = event.payload()?;
                handovers::stopped_in(conn, &e.handover_id, &ctx)?;
                Ok(true)
            }
            Some(EventType::HandoverCompleted) => {
                let e: HandoverCompleted = event.payload()?;
                handovers::stopped_in(conn, &e.handover_id, &ctx)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}
