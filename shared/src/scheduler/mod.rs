//! Daily and periodic background jobs that run on exactly one replica when several
//! processes share a database, and catch up after downtime.
//!
//! Each job owes one run per *slot* (see [`Schedule::slot`]). Its row in `scheduled_jobs`
//! records the last slot completed; a replica that finds a newer slot due claims the row
//! with one conditional `UPDATE` and holds a short lease while the job runs. After days
//! of downtime a job runs once, for the current slot, and is told the last slot it
//! completed ([`JobRun::previous`]) so that it can make up for the days in between.
//!
//! Delivery is at least once per slot: if recording a completed run fails, or a replica
//! loses its lease mid-run, the slot runs again. Jobs should be idempotent for a slot.

mod runner;
mod schedule;
pub(crate) mod schema;
mod store;
#[cfg(test)]
mod tests;

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveTime, Utc};
use futures_util::future::BoxFuture;

use crate::clock::Clock;

pub use runner::{DEFAULT_LEASE, Scheduler};
pub use schedule::Schedule;

/// What a job is given when it runs.
#[derive(Debug, Clone)]
pub struct JobRun {
    /// The slot being run.
    pub due: DateTime<Utc>,
    /// The last slot that completed, if any: everything after it and up to `due` is this
    /// run's business.
    pub previous: Option<DateTime<Utc>>,
    pub clock: Clock,
}

/// The body of a job: called once per slot won.
pub type JobFn = Arc<dyn Fn(JobRun) -> BoxFuture<'static, anyhow::Result<()>> + Send + Sync>;

/// A job: a stable name (its key in the database, unique within a service), when it
/// runs, and what it does.
#[derive(Clone)]
pub struct Job {
    pub name: &'static str,
    pub schedule: Schedule,
    pub run: JobFn,
}

impl Job {
    pub fn new<F, Fut>(name: &'static str, schedule: Schedule, f: F) -> Self
    where
        F: Fn(JobRun) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        Self {
            name,
            schedule,
            run: Arc::new(move |run| Box::pin(f(run))),
        }
    }

    /// Once a day at `at`, the company's local time.
    pub fn daily<F, Fut>(name: &'static str, at: NaiveTime, f: F) -> Self
    where
        F: Fn(JobRun) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        Self::new(name, Schedule::Daily { at }, f)
    }

    /// Once per `period` (at least a second), aligned to the Unix epoch.
    pub fn every<F, Fut>(name: &'static str, period: Duration, f: F) -> Self
    where
        F: Fn(JobRun) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        Self::new(name, Schedule::Every(period), f)
    }
}

impl fmt::Debug for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Job")
            .field("name", &self.name)
            .field("schedule", &self.schedule)
            .finish_non_exhaustive()
    }
}
