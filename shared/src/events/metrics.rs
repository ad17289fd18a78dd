//! Delivery metrics: backlog per subscriber, attempts by outcome, commit-to-delivery latency.

use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry};

#[derive(Clone)]
pub struct EventMetrics {
    /// Subscribers whose gauges read 0 rather than be missing when they have no backlog.
    known: std::sync::Arc<std::sync::Mutex<std::collections::BTreeSet<String>>>,
    pending: IntGaugeVec,
    dead: IntGaugeVec,
    attempts: IntCounterVec,
    latency: HistogramVec,
}

impl EventMetrics {
    pub fn register(registry: &Registry) -> anyhow::Result<Self> {
        let pending = IntGaugeVec::new(
            Opts::new(
                "outbox_pending_events",
                "Deliveries waiting, per subscriber",
            ),
            &["subscriber"],
        )?;
        let dead = IntGaugeVec::new(
            Opts::new(
                "outbox_dead_events",
                "Deliveries parked after too many attempts, per subscriber",
            ),
            &["subscriber"],
        )?;
        let attempts = IntCounterVec::new(
            Opts::new(
                "outbox_delivery_attempts_total",
                "Delivery attempts by outcome",
            ),
            &["subscriber", "outcome"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "outbox_delivery_latency_seconds",
                "From the producer's commit to the subscriber's acknowledgment",
            )
            .buckets(vec![
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
            ]),
            &["subscriber"],
        )?;
        registry.register(Box::new(pending.clone()))?;
        registry.register(Box::new(dead.clone()))?;
        registry.register(Box::new(attempts.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        Ok(Self {
            known: Default::default(),
            pending,
            dead,
            attempts,
            latency,
        })
    }

    /// Makes a subscriber's gauges read 0 until it has a backlog, rather than be missing.
    pub fn know(&self, subscriber: &str) {
        if let Ok(mut known) = self.known.lock() {
            known.insert(subscriber.to_owned());
        }
        self.pending.with_label_values(&[subscriber]).set(0);
        self.dead.with_label_values(&[subscriber]).set(0);
    }

    /// Replaces the backlog gauges with `(subscriber, status, count)` rows.
    pub fn set_backlog(&self, rows: &[(String, String, i64)]) {
        self.pending.reset();
        self.dead.reset();
        if let Ok(known) = self.known.lock() {
            for s in known.iter() {
                self.pending.with_label_values(&[s.as_str()]).set(0);
                self.dead.with_label_values(&[s.as_str()]).set(0);
            }
        }
        for (subscriber, status, n) in rows {
            let gauge = if status == super::outbox::DEAD {
                &self.dead
            } else {
                &self.pending
            };
            gauge.with_label_values(&[subscriber.as_str()]).set(*n);
        }
    }

    pub fn attempt(&self, subscriber: &str, outcome: &str, n: u64) {
        self.attempts
            .with_label_values(&[subscriber, outcome])
            .inc_by(n);
    }

    pub fn delivered_after(&self, subscriber: &str, seconds: f64) {
        self.latency
            .with_label_values(&[subscriber])
            .observe(seconds.max(0.0));
    }
}
