//! A copy of a producer's roster, kept by services that need it: departments, employees
//! (with status and last working day), projects and team members, fed by the producer's
//! events, readable for inspection, and shown to the service's hook as it changes. The
//! producer is whichever service the consumer names; the platform names none.

pub mod api;
mod apply;
mod db;
mod hook;
mod model;
pub mod read;
pub(crate) mod schema;
mod snapshot;

use std::sync::Arc;

use continuity_contract::ServiceName;
use diesel_migrations::EmbeddedMigrations;

pub use apply::{ROSTER_TYPES, subscriptions_from};
pub use hook::{RosterChange, RosterHook};
pub use model::{CopiedDepartment, CopiedEmployee, CopiedMember, CopiedProject};
pub(crate) use snapshot::SnapshotRequest;

use crate::db::Migrations;

/// The copy's tables: list them in the service's migrations.
pub const MIGRATIONS: Migrations = Migrations {
    sqlite: || {
        const SET: EmbeddedMigrations =
            diesel_migrations::embed_migrations!("roster-migrations/sqlite");
        SET
    },
    postgres: || {
        const SET: EmbeddedMigrations =
            diesel_migrations::embed_migrations!("roster-migrations/postgres");
        SET
    },
};

/// A service's copy of `producer`'s roster, and its reaction to changes.
#[derive(Clone)]
pub struct RosterCopy {
    producer: ServiceName,
    /// None: nobody watches, so the copy need not read what a change replaces.
    hook: Option<Arc<dyn RosterHook>>,
}

impl RosterCopy {
    /// A copy of the roster that `producer` publishes.
    pub fn of(producer: ServiceName) -> Self {
        Self {
            producer,
            hook: None,
        }
    }

    /// Shows every change of the copy to `hook`.
    pub fn with_hook(mut self, hook: impl RosterHook) -> Self {
        self.hook = Some(Arc::new(hook));
        self
    }

    pub fn producer(&self) -> &ServiceName {
        &self.producer
    }
}
