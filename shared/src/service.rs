//! The extension point: what a service is, and what it adds to the platform when it starts.
//!
//! The platform knows no service by name. A service crate declares a [`ServiceDef`]: its
//! name and default port, its documentation, its tables, the event types it takes and its
//! routes (static, so its OpenAPI document can be built without starting it), and a
//! `setup` that receives the [`Platform`] (settings, database, clock) and returns its
//! [`Extensions`]: application state, background tasks, scheduled jobs, its event handler
//! and, for a service that keeps one, its roster copy.

use std::future::Future;
use std::sync::Arc;

use actix_web::web;
use chrono::{DateTime, Utc};
use continuity_contract::{EventType, ServiceName};
use futures_util::future::BoxFuture;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::clock::Clock;
use crate::db::{Db, DbConnection, Migrations};
use crate::error::ApiResult;
use crate::events::EventHandler;
use crate::roster::RosterCopy;
use crate::scheduler::Job;
use crate::settings::Settings;

/// What makes one service.
pub struct ServiceDef {
    /// `a-z0-9-`, as in settings sections (`-` becomes `_`), logs and metrics.
    pub name: &'static str,
    /// Where it listens unless its section says otherwise.
    pub default_port: u16,
    pub title: &'static str,
    pub description: &'static str,
    /// The service's own tables (after the platform's); one set per folder pair.
    pub migrations: &'static [Migrations],
    /// The event types it takes and from whom: answered at
    /// `GET /v1/events/subscriptions`, what producers deliver to it once they have read
    /// that, and what its inbox checks each event's `source` against.
    /// Grouped as the service likes (e.g. `roster::subscriptions_from(...)` and its own).
    pub subscriptions: &'static [&'static [Subscription]],
    /// Registers the service's own handlers (each with its `#[utoipa::path]`).
    pub routes: fn(&mut ServiceConfig),
    /// Builds what the service adds to the platform, once, at start-up.
    pub setup: fn(&Platform) -> anyhow::Result<Extensions>,
}

impl ServiceDef {
    /// Every subscription of the service, its groups flattened.
    pub fn all_subscriptions(&self) -> impl Iterator<Item = &'static Subscription> {
        self.subscriptions.iter().flat_map(|group| group.iter())
    }

    /// The name as a parsed value; a definition with a bad name cannot start.
    pub fn service_name(&self) -> anyhow::Result<ServiceName> {
        ServiceName::parse(self.name)
            .map_err(|e| anyhow::anyhow!("service name `{}`: {e}", self.name))
    }

    /// The launcher's default section for this service: its port.
    pub fn default_section(&self) -> String {
        format!(
            "[{}]\nport = {}\n",
            self.name.replace('-', "_"),
            self.default_port
        )
    }
}

/// One event type a service takes, and the services it accepts it from.
#[derive(Debug, Clone, Copy)]
pub struct Subscription {
    pub event_type: EventType,
    pub from: &'static [&'static str],
}

impl Subscription {
    pub const fn new(event_type: EventType, from: &'static [&'static str]) -> Self {
        Self { event_type, from }
    }
}

/// What a service's `setup` is given.
pub struct Platform {
    pub name: ServiceName,
    /// The whole configuration: read the service's own typed section with
    /// [`Settings::section`].
    pub settings: Settings,
    pub db: Db,
    /// The one clock of the service (tests set it).
    pub clock: Clock,
}

type Registration = Arc<dyn Fn(&mut ServiceConfig) + Send + Sync>;

/// What a service adds to the platform. Built with the chained methods below.
#[derive(Default)]
pub struct Extensions {
    pub(crate) data: Vec<Registration>,
    pub(crate) tasks: Vec<BoxFuture<'static, ()>>,
    pub(crate) jobs: Vec<Job>,
    pub(crate) handler: Option<Arc<dyn EventHandler>>,
    pub(crate) roster: Option<RosterCopy>,
    pub(crate) on_start: Vec<StartupWrite>,
    pub(crate) collectors: Vec<Box<dyn prometheus::core::Collector>>,
}

/// A write the service makes once at start-up, before it serves: seeding what a new
/// installation needs. Runs on every start, so it must do nothing when already done.
pub type StartupWrite =
    Box<dyn FnOnce(&mut DbConnection, DateTime<Utc>) -> ApiResult<()> + Send + 'static>;

impl Extensions {
    /// Application state that handlers extract as `web::Data<T>`.
    pub fn data<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        let value = web::Data::new(value);
        self.data.push(Arc::new(move |cfg: &mut ServiceConfig| {
            cfg.app_data(value.clone());
        }));
        self
    }

    /// A task that runs beside the server and stops with it.
    pub fn task(mut self, task: impl Future<Output = ()> + Send + 'static) -> Self {
        self.tasks.push(Box::pin(task));
        self
    }

    /// A daily or periodic job, run by one replica of the service at a time.
    pub fn job(mut self, job: Job) -> Self {
        self.jobs.push(job);
        self
    }

    /// Applies the events the service takes (beyond its roster copy).
    pub fn events(mut self, handler: impl EventHandler) -> Self {
        self.handler = Some(Arc::new(handler));
        self
    }

    /// A write made once at start-up, in its own transaction, before the server serves.
    pub fn on_start(
        mut self,
        write: impl FnOnce(&mut DbConnection, DateTime<Utc>) -> ApiResult<()> + Send + 'static,
    ) -> Self {
        self.on_start.push(Box::new(write));
        self
    }

    /// Metrics of the service's own, served at `/metrics` beside the platform's.
    pub fn metrics(mut self, collector: impl prometheus::core::Collector + 'static) -> Self {
        self.collectors.push(Box::new(collector));
        self
    }

    /// Keeps a copy of a producer's roster, fed by its events.
    pub fn roster_copy(mut self, copy: RosterCopy) -> Self {
        self.roster = Some(copy);
        self
    }
}
