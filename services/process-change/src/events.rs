//! The event types process-change takes and from whom, in one place: answered at
//! `GET /v1/events/subscriptions`, what producers deliver to it, and what its inbox checks;
//! and what it does with them.

use continuity_contract::EventType;
use continuity_contract::payloads::{
    HandoverCancelled, HandoverCompleted, HandoverSuccessorAssigned,
};
use continuity_shared::audit::AuditContext;
use continuity_shared::clock::Clock;
use continuity_shared::db::DbConnection;
use continuity_shared::events::{CloudEvent, EventHandler};
use continuity_shared::roster::{self, RosterChange, RosterHook};
use continuity_shared::service::Subscription;
use continuity_shared::{ApiError, ApiResult};

use crate::service::{acknowledgments, handovers};

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

/// Applies handover events in the inbox's transaction.
pub struct ProcessChangeEvents {
    pub clock: Clock,
}

impl EventHandler for ProcessChangeEvents {
    fn apply(&self, conn: &mut DbConnection, event: &CloudEvent) -> ApiResult<bool> {
        let ctx = AuditContext::for_event(&event.source, &event.id, self.clock.now());
        let applied = match EventType::parse(&event.event_type) {
            Some(EventType::HandoverSuccessorAssigned) => {
                let e: HandoverSuccessorAssigned = event.payload()?;
                handovers::successor_assigned_in(conn, &e, &ctx)
            }
            Some(EventType::HandoverCancelled) => {
                let e: HandoverCancelled = event.payload()?;
                handovers::stopped_in(conn, &e.handover_id, &e.project_id.to_string(), ctx.at)
            }
            Some(EventType::HandoverCompleted) => {
                let e: HandoverCompleted = event.payload()?;
                handovers::stopped_in(conn, &e.handover_id, &e.project_id.to_string(), ctx.at)
            }
            _ => return Ok(false),
        };
        applied.map_err(ApiError::from)?;
        Ok(true)
    }
}

/// Sees each copied roster change: arrivals and departures change who must acknowledge.
pub struct Arrivals {
    pub clock: Clock,
}

impl RosterHook for Arrivals {
    fn changed(
        &self,
        conn: &mut DbConnection,
        change: &RosterChange,
        _event: &CloudEvent,
    ) -> ApiResult<()> {
        if let RosterChange::Employee { before, after } = change {
            acknowledgments::roster_changed_in(conn, before.as_ref(), after, self.clock.now())
                .map_err(ApiError::from)?;
        }
        Ok(())
    }
}
