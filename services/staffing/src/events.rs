//! The event types staffing takes and from whom, in one place: answered at
//! `GET /v1/events/subscriptions`, what producers deliver to it, and what its inbox checks;
//! and what it does with them.

use continuity_contract::EventType;
use continuity_contract::payloads::{HandoverProgressed, TrainingProgressed};
use continuity_shared::ApiResult;
use continuity_shared::audit::AuditContext;
use continuity_shared::clock::Clock;
use continuity_shared::db::DbConnection;
use continuity_shared::events::{CloudEvent, EventHandler};
use continuity_shared::service::Subscription;

use crate::service::handovers;

pub const SUBSCRIPTIONS: &[&[Subscription]] = &[&[
    // How far the successor of a handover has got with training and acknowledgments.
    Subscription::new(
        EventType::HandoverProgressed,
        &["training-record", "process-change"],
    ),
    // Who has done how much of a project's training: picks successors from outside a team.
    Subscription::new(EventType::TrainingProgressed, &["training-record"]),
]];

/// Applies handover progress and training progress, each in the inbox's transaction.
pub struct StaffingEvents {
    pub clock: Clock,
}

impl EventHandler for StaffingEvents {
    fn apply(&self, conn: &mut DbConnection, event: &CloudEvent) -> ApiResult<bool> {
        let ctx = AuditContext::for_event(&event.source, &event.id, self.clock.now());
        match EventType::parse(&event.event_type) {
            Some(EventType::HandoverProgressed) => {
                let report: HandoverProgressed = event.payload()?;
                handovers::progressed_in(conn, &report, &ctx)?;
                Ok(true)
            }
            Some(EventType::TrainingProgressed) => {
                let report: TrainingProgressed = event.payload()?;
                handovers::training_in(conn, &report, &ctx)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}
