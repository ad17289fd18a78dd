//! The event types scheduling takes and from whom, in one place: answered at
//! `GET /v1/events/subscriptions`, what producers deliver to it, and what its inbox checks;
//! and what it does with roster changes.

use continuity_shared::audit::AuditContext;
use continuity_shared::clock::Clock;
use continuity_shared::db::DbConnection;
use continuity_shared::events::CloudEvent;
use continuity_shared::roster::{self, RosterChange, RosterHook};
use continuity_shared::service::Subscription;
use continuity_shared::{ApiError, ApiResult};

use crate::service::history;

/// The service whose roster scheduling copies.
pub const ROSTER_PRODUCER: &str = "staffing";
const STAFFING: &[&str] = &[ROSTER_PRODUCER];

pub const SUBSCRIPTIONS: &[&[Subscription]] = &[ROSTER];

/// The roster copy.
const ROSTER: &[Subscription] = &roster::subscriptions_from(STAFFING);

/// Sees each copied roster change: hires, transfers and departures join the history.
pub struct HistoryHook {
    pub clock: Clock,
}

impl RosterHook for HistoryHook {
    fn changed(
        &self,
        conn: &mut DbConnection,
        change: &RosterChange,
        event: &CloudEvent,
    ) -> ApiResult<()> {
        if let RosterChange::Employee { before, after } = change {
            let ctx = AuditContext::for_event(&event.source, &event.id, self.clock.now());
            history::roster_changed_in(conn, before.as_ref(), after, &ctx)
                .map_err(ApiError::from)?;
        }
        Ok(())
    }
}
