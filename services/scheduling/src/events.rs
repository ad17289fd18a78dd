//! The event types scheduling takes and from whom, in one place: answered at
//! `GET /v1/events/subscriptions`, what producers deliver to it, and what its inbox checks;
//! and what it does with roster changes.

use std::collections::BTreeSet;

use continuity_contract::ProjectId;
use continuity_shared::audit::AuditContext;
use continuity_shared::clock::Clock;
use continuity_shared::db::DbConnection;
use continuity_shared::events::CloudEvent;
use continuity_shared::roster::{self, RosterChange, RosterHook, read};
use continuity_shared::service::Subscription;
use continuity_shared::{ApiError, ApiResult};

use crate::service::scoring::ScoringSettings;
use crate::service::{history, risk};

/// The service whose roster scheduling copies.
pub const ROSTER_PRODUCER: &str = "staffing";
const STAFFING: &[&str] = &[ROSTER_PRODUCER];

pub const SUBSCRIPTIONS: &[&[Subscription]] = &[ROSTER];

/// The roster copy.
const ROSTER: &[Subscription] = &roster::subscriptions_from(STAFFING);

/// Sees each copied roster change: hires, transfers and departures join the history, and
/// the projects a change touches (a member's departure, a team change, new planned dates,
/// a department's key flag or minimum) are re-scored.
pub struct RosterReactions {
    pub clock: Clock,
    pub settings: ScoringSettings,
}

impl RosterHook for RosterReactions {
    fn changed(
        &self,
        conn: &mut DbConnection,
        change: &RosterChange,
        event: &CloudEvent,
    ) -> ApiResult<()> {
        let ctx = AuditContext::for_event(&event.source, &event.id, self.clock.now());
        let mut projects: BTreeSet<ProjectId> = BTreeSet::new();
        match change {
            RosterChange::Employee { before, after } => {
                history::roster_changed_in(conn, before.as_ref(), after, &ctx)
                    .map_err(ApiError::from)?;
                projects.extend(read::projects_of(conn, &after.employee_id)?);
            }
            RosterChange::Member { before, after } => {
                projects.extend(before.iter().chain(after.iter()).map(|m| m.project_id));
            }
            RosterChange::Project { after, .. } => {
                projects.insert(after.project_id);
            }
            // A key department's minimum applies to every project, with or without
            // members there; other departments do not enter the score.
            RosterChange::Department { before, after } => {
                if after.key || before.as_ref().is_some_and(|b| b.key) {
                    projects.extend(read::open_projects(conn)?);
                }
            }
        }
        let today = self.clock.today();
        for p in projects {
            risk::rescore_in(conn, p, self.settings, today, &ctx).map_err(ApiError::from)?;
        }
        Ok(())
    }
}
