//! Per source: callbacks received, duplicates, refusals by reason, enrichments done and
//! failed, in staffing's `/metrics`.

use prometheus::{IntCounterVec, Opts};

use super::HrSources;

/// What happened to a source's callbacks and events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new event, stored.
    Received,
    /// A redelivery: acknowledged, nothing done again.
    Duplicate,
    /// Enriched through the vendor's API and applied (or found unmatched).
    Enriched,
    /// An attempt to enrich failed (retried later).
    EnrichmentFailed,
}

impl Outcome {
    const ALL: [Outcome; 4] = [
        Self::Received,
        Self::Duplicate,
        Self::Enriched,
        Self::EnrichmentFailed,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Duplicate => "duplicate",
            Self::Enriched => "enriched",
            Self::EnrichmentFailed => "enrichment_failed",
        }
    }
}

#[derive(Clone)]
pub struct HrSourceMetrics {
    pub events: IntCounterVec,
    pub refused: IntCounterVec,
}

impl HrSourceMetrics {
    /// The counters, every configured source's outcomes reading 0 before anything comes
    /// (a missing series cannot be alerted on).
    pub fn new(sources: &HrSources) -> anyhow::Result<Self> {
        let events = IntCounterVec::new(
            Opts::new(
                "hr_source_events_total",
                "HR source callbacks and events, by source and outcome",
            ),
            &["source", "outcome"],
        )?;
        let refused = IntCounterVec::new(
            Opts::new(
                "hr_source_refused_total",
                "HR source callbacks refused, by source and reason",
            ),
            &["source", "reason"],
        )?;
        for name in sources.0.keys() {
            for outcome in Outcome::ALL {
                events.with_label_values(&[name.as_str(), outcome.as_str()]);
            }
        }
        Ok(Self { events, refused })
    }

    pub fn count(&self, source: &str, outcome: Outcome) {
        self.events
            .with_label_values(&[source, outcome.as_str()])
            .inc();
    }

    /// `reason` is one of a few fixed words (`signature`, `timestamp`, `decrypt`, …).
    pub fn refuse(&self, source: &str, reason: &'static str) {
        self.refused.with_label_values(&[source, reason]).inc();
    }
}
