//! Enrichment, outside the callback's request: events stored `enriching` are taken one at
//! a time (leased, so that two replicas never both call the API for one, and a crash
//! mid-call only delays it), the vendor's API is asked what they mean, and that is mapped
//! and applied like an event that arrived whole. A failure is retried with exponential
//! backoff; after `max_attempts` the event is left unmatched for HR, and a replay tries
//! again. A source whose API is down never holds back an acknowledgment: callbacks only
//! store.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use continuity_shared::clock::Clock;
use continuity_shared::db::Db;
use tokio::sync::Notify;

use super::mapping::{pending, to_hr_event};
use super::metrics::{HrSourceMetrics, Outcome};
use super::vendor_api::VendorApi;
use super::{HrSources, VendorEvent};
use crate::domain::hr_event::StoredHrEvent;
use crate::service::hr_events;
use crate::settings::{HrApiSettings, Rules};

/// Events taken per look.
const BATCH: i64 = 16;

/// Wakes the enricher when a callback stored an event to enrich (handlers hold a clone).
#[derive(Clone, Default)]
pub struct EnrichmentWake(Arc<Notify>);

impl EnrichmentWake {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// The wait before attempt `failures + 1`: `first`, doubling, at most `max`.
pub fn backoff(first: Duration, max: Duration, failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(32);
    first
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(max)
}

/// Why an attempt failed, and the source's name when it is known.
struct Failure {
    source: Option<String>,
    why: String,
}

impl Failure {
    fn new(source: Option<String>, why: impl Into<String>) -> Self {
        Self {
            source,
            why: why.into(),
        }
    }
}

pub struct Enricher {
    pub db: Db,
    pub clock: Clock,
    pub rules: Rules,
    pub sources: HrSources,
    pub api: VendorApi,
    pub settings: HrApiSettings,
    pub metrics: HrSourceMetrics,
    pub wake: EnrichmentWake,
}

impl Enricher {
    /// Runs until the service stops: every due event, then a wait for a wake-up or the
    /// poll interval.
    pub async fn run(self) {
        let poll = Duration::from_millis(self.settings.poll_millis.max(10));
        loop {
            self.round().await;
            tokio::select! {
                () = self.wake.0.notified() => {}
                () = tokio::time::sleep(poll) => {}
            }
        }
    }

    async fn round(&self) {
        loop {
            let due = match hr_events::due_for_enrichment(&self.db, self.clock.now(), BATCH).await {
                Ok(due) => due,
                Err(e) => {
                    tracing::warn!(error = %e, "HR enrichment: cannot read due events");
                    return;
                }
            };
            let full = due.len() as i64 == BATCH;
            for event in due {
                self.attempt(event).await;
            }
            if !full {
                return;
            }
        }
    }

    async fn attempt(&self, event: StoredHrEvent) {
        let now = self.clock.now();
        // Longer than any one attempt: the sign-in and the query, each within the timeout.
        let lease = Duration::from_secs(self.settings.timeout_secs.saturating_mul(3) + 30);
        let until = now + lease;
        match hr_events::lease_enrichment(&self.db, event.id.clone(), now, until).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                tracing::warn!(hr_event.id = %event.id, error = %e, "HR enrichment: cannot lease");
                return;
            }
        }
        let recorded = match self.enrich(&event).await {
            Ok(source) => {
                self.metrics.count(&source, Outcome::Enriched);
                Ok(())
            }
            Err(Failure { source, why }) => {
                if let Some(source) = source {
                    self.metrics.count(&source, Outcome::EnrichmentFailed);
                }
                self.failed(&event, now, why).await
            }
        };
        if let Err(e) = recorded {
            // The lease lapses and the event is tried again.
            tracing::warn!(hr_event.id = %event.id, error = %e, "HR enrichment: cannot record the outcome");
        }
    }

    /// Asks the source's API and applies what it says; the source's name.
    async fn enrich(&self, event: &StoredHrEvent) -> Result<String, Failure> {
        let p = pending(&event.data).ok_or_else(|| Failure::new(None, "not an event to enrich"))?;
        let source = self.sources.get(&p.name).ok_or_else(|| {
            Failure::new(
                None,
                format!("HR source `{}` is no longer configured", p.name),
            )
        })?;
        let failure = |why: String| Failure::new(Some(source.name.clone()), why);
        let change = self
            .api
            .enrich(source, &p, self.rules.time_zone)
            .await
            .map_err(|e| failure(e.0))?;
        tracing::info!(hr_event.id = %event.id, hr_source = %source.name, change = ?change, "HR event enriched");
        let vendor_event = VendorEvent {
            dedupe_key: p.dedupe_key,
            vendor_type: p.event,
            change,
            fields: p.fields,
            at: event.received_at,
        };
        let mapped = to_hr_event(source, &vendor_event, self.rules.today(event.received_at));
        hr_events::enriched(
            &self.db,
            event.id.clone(),
            mapped.event_type,
            mapped.data,
            mapped.event,
            self.clock.now(),
            self.rules,
        )
        .await
        .map_err(|e| failure(format!("what the API said cannot be applied: {e}")))?;
        Ok(source.name.clone())
    }

    /// Counts a failed attempt: retried after the backoff, or left unmatched.
    async fn failed(
        &self,
        event: &StoredHrEvent,
        now: DateTime<Utc>,
        why: String,
    ) -> Result<(), String> {
        let failures = event.attempts + 1;
        let next = (failures < self.settings.max_attempts).then(|| {
            now + backoff(
                Duration::from_millis(self.settings.retry_first_millis),
                Duration::from_secs(self.settings.retry_max_secs),
                failures,
            )
        });
        let problem = match next {
            Some(_) => format!("enrichment attempt {failures} failed: {why}"),
            None => format!("enrichment given up after {failures} attempts: {why}"),
        };
        tracing::info!(hr_event.id = %event.id, problem = %problem, "HR enrichment failed");
        hr_events::enrichment_failed(&self.db, event.id.clone(), next, problem)
            .await
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_first_wait_up_to_the_most() {
        let (first, max) = (Duration::from_secs(30), Duration::from_secs(3600));
        let waits: Vec<u64> = (1..=9).map(|n| backoff(first, max, n).as_secs()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(backoff(first, max, u32::MAX), max);
        assert_eq!(backoff(first, max, 0), first);
    }
}
