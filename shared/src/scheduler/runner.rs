//! The scheduler itself: at every tick each job whose slot is not done yet is claimed by
//! one replica, run while that replica renews its lease, and its outcome recorded.

use std::any::Any;
use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use futures_util::FutureExt;
use futures_util::future::join_all;
use tracing::Instrument;

use super::{Job, JobRun, store};
use crate::clock::{self, Clock};
use crate::db::Db;

/// How long a claim holds without renewal: a crashed replica's jobs are free again after
/// this, and a live one renews every third of it.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);

/// Runs a service's jobs. Leases are read on the same [`Clock`] as the schedule, so a
/// test that moves the time moves the leases with it.
pub struct Scheduler {
    db: Db,
    clock: Clock,
    replica_id: String,
    jobs: Vec<Job>,
    lease: Duration,
}

impl Scheduler {
    /// `replica_id` names this process in the table (who holds a lease); it should differ
    /// between replicas, e.g. host name and process id.
    pub fn new(db: Db, clock: Clock, replica_id: String, jobs: Vec<Job>) -> Self {
        for (i, job) in jobs.iter().enumerate() {
            if jobs[..i].iter().any(|other| other.name == job.name) {
                // The second would always find its slot done by the first.
                tracing::warn!(job.name = job.name, "two scheduled jobs share a name");
            }
        }
        Self {
            db,
            clock,
            replica_id,
            jobs,
            lease: DEFAULT_LEASE,
        }
    }

    /// A lease other than [`DEFAULT_LEASE`] (at least a second).
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_secs(1));
        self
    }

    /// Runs every job that is due now, together, and returns the names of those this
    /// replica ran (successfully or not). An error means the bookkeeping failed.
    pub async fn tick(&self) -> anyhow::Result<Vec<&'static str>> {
        let now = self.clock.now();
        let outcomes = join_all(self.jobs.iter().map(|job| self.run_if_due(job, now))).await;
        let mut ran = Vec::new();
        let mut failure: Option<anyhow::Error> = None;
        for (job, outcome) in self.jobs.iter().zip(outcomes) {
            match outcome {
                Ok(true) => ran.push(job.name),
                Ok(false) => {}
                Err(e) if failure.is_none() => failure = Some(e),
                Err(e) => tracing::warn!(error = format!("{e:#}"), "scheduler bookkeeping failed"),
            }
        }
        match failure {
            Some(e) => Err(e),
            None => Ok(ran),
        }
    }

    /// Ticks every `every` until the task is aborted. The first tick is at once, so a
    /// replica that starts after downtime catches up without waiting. A tick waits for
    /// the jobs it started, so a long job delays the others' next check by as much.
    pub async fn run(self, every: Duration) {
        tracing::info!(
            scheduler.jobs = self.jobs.len(),
            scheduler.replica = %self.replica_id,
            "scheduler started"
        );
        loop {
            if let Err(e) = self.tick().await {
                tracing::warn!(error = format!("{e:#}"), "scheduler tick failed");
            }
            tokio::time::sleep(every).await;
        }
    }

    /// Claims `job` if its slot is due and free, runs it and records how it went; true
    /// when this replica ran it.
    async fn run_if_due(&self, job: &Job, now: DateTime<Utc>) -> anyhow::Result<bool> {
        let name = job.name;
        let slot = job.schedule.slot(now, self.clock.tz());
        let (me, lease_until) = (self.replica_id.clone(), now + self.lease_delta());
        let claimed = self
            .db
            .write(move |c| {
                store::claim(
                    c,
                    name,
                    &me,
                    slot.naive_utc(),
                    now.naive_utc(),
                    lease_until.naive_utc(),
                )
            })
            .await
            .with_context(|| format!("claiming scheduled job {name}"))?;
        let Some(previous) = claimed else {
            return Ok(false);
        };
        let run = JobRun {
            due: slot,
            previous: previous.map(clock::utc),
            clock: self.clock.clone(),
        };
        let error = match self.run_holding_lease(job, run).await {
            Ok(()) => None,
            Err(e) => {
                tracing::error!(
                    job.name = name,
                    job.due = %slot,
                    error = format!("{e:#}"),
                    "scheduled job failed; it is retried at the next tick"
                );
                Some(format!("{e:#}"))
            }
        };
        let (me, done_at) = (self.replica_id.clone(), self.clock.now().naive_utc());
        let kept = self
            .db
            .write(move |c| store::finish(c, name, &me, slot.naive_utc(), done_at, error))
            .await
            .with_context(|| format!("recording scheduled job {name}"))?;
        if !kept {
            tracing::warn!(
                job.name = name,
                job.due = %slot,
                "the lease ran out during the run; another replica may run this slot again"
            );
        }
        Ok(true)
    }

    /// Runs the job, renewing the lease until it ends. A panic is a failure like any
    /// other, so it neither kills the scheduler nor leaves the slot unrecorded.
    async fn run_holding_lease(&self, job: &Job, run: JobRun) -> anyhow::Result<()> {
        let span = tracing::info_span!("scheduled_job", job.name = job.name, job.due = %run.due);
        let f = job.run.clone();
        let work = AssertUnwindSafe(async move { f(run).await })
            .catch_unwind()
            .instrument(span);
        tokio::select! {
            result = work => result.unwrap_or_else(|panic| {
                Err(anyhow::anyhow!("the job panicked: {}", panic_message(&*panic)))
            }),
            never = self.keep_lease(job.name) => match never {},
        }
    }

    /// Renews the lease every third of its length; never returns, it is dropped when the
    /// job ends. A failed renewal is only logged: the lease may still hold until the next.
    async fn keep_lease(&self, name: &'static str) -> Infallible {
        loop {
            tokio::time::sleep(self.lease / 3).await;
            let now = self.clock.now();
            let (me, until) = (self.replica_id.clone(), now + self.lease_delta());
            let renewed = self
                .db
                .write(move |c| store::renew(c, name, &me, now.naive_utc(), until.naive_utc()))
                .await;
            match renewed {
                Ok(true) => {}
                Ok(false) => tracing::warn!(job.name = name, "the job's lease was taken over"),
                Err(e) => tracing::warn!(job.name = name, error = %e, "could not renew the lease"),
            }
        }
    }

    fn lease_delta(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.lease).unwrap_or(chrono::Duration::seconds(60))
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}
