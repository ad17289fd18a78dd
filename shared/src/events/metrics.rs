//! Delivery metrics: backlog per subscriber, attempts by outcome, commit-to-delivery latency.

use std::sync::Arc;

use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry};

#[derive(Clone)]
pub struct EventMetrics {
    pending: IntGaugeVec,
    dead: IntGaugeVec,
    attempts: IntCounterVec,
    latency: HistogramVec,
    /// Subscribers whose backlog gauges always exist, reading 0 when nothing waits: a
    /// missing series cannot be told from a broken exporter, nor alerted on.
    known: Arc<[String]>,
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
            pending,
            dead,
            attempts,
            latency,
            known: Arc::from([]),
        })
    }

    /// Makes the backlog gauges of `subscribers` (the configured peers) read 0 from now on
    /// until something is queued for them.
    pub fn with_subscribers(mut self, subscribers: Vec<String>) -> Self {
        self.known = subscribers.into();
        self.set_backlog(&[]);
        self
    }

    /// Replaces the backlog gauges with `(subscriber, status, count)` rows; the known
    /// subscribers without a row read 0.
    pub fn set_backlog(&self, rows: &[(String, String, i64)]) {
        self.pending.reset();
        self.dead.reset();
        for subscriber in self.known.iter() {
            self.pending
                .with_label_values(&[subscriber.as_str()])
                .set(0);
            self.dead.with_label_values(&[subscriber.as_str()]).set(0);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn exported(registry: &Registry) -> String {
        prometheus::TextEncoder::new()
            .encode_to_string(&registry.gather())
            .unwrap()
    }

    #[test]
    fn a_known_subscriber_reads_zero_before_and_after_its_backlog() {
        let registry = Registry::new();
        let metrics = EventMetrics::register(&registry)
            .unwrap()
            .with_subscribers(vec!["scheduling".into()]);
        let text = exported(&registry);
        assert!(
            text.contains(r#"outbox_pending_events{subscriber="scheduling"} 0"#),
            "{text}"
        );
        assert!(
            text.contains(r#"outbox_dead_events{subscriber="scheduling"} 0"#),
            "{text}"
        );

        metrics.set_backlog(&[("scheduling".into(), "pending".into(), 4)]);
        assert!(
            exported(&registry).contains(r#"outbox_pending_events{subscriber="scheduling"} 4"#)
        );
        metrics.set_backlog(&[]);
        let text = exported(&registry);
        assert!(
            text.contains(r#"outbox_pending_events{subscriber="scheduling"} 0"#),
            "{text}"
        );
        assert!(
            text.contains(r#"outbox_dead_events{subscriber="scheduling"} 0"#),
            "{text}"
        );
    }
}
