//! The dispatcher: delivers a service's outbox to the peer services (in batches) and to
//! webhook subscriptions (one signed message each), with timeouts, backoff, `Retry-After`
//! and dead-lettering. Each subscriber is served by a task of its own, so a slow webhook
//! delays nobody else. Several replicas may run it against one database: a delivery is
//! leased by one of them at a time, for a short lease renewed while it is in flight, so a
//! crashed process holds nothing for long.

mod declarations;
mod send;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use continuity_contract::ServiceName;
use secrecy::ExposeSecret;
use tokio::sync::Notify;

use super::metrics::EventMetrics;
use super::outbox::{self, Claimed};
use super::policy::{Decision, Outcome, RetryPolicy};
use super::{retention, ssrf};
use crate::clock::Clock;
use crate::db::Db;
use crate::error::ApiResult;
use crate::settings::{EventSettings, Settings};

pub const BATCH_CONTENT_TYPE: &str = "application/cloudevents-batch+json";

/// How often old events, attempts and keys are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(600);

pub(crate) struct Dispatcher {
    db: Db,
    clock: Clock,
    settings: EventSettings,
    policy: RetryPolicy,
    peers: HashMap<String, String>,
    service_token: String,
    peer_client: reqwest::Client,
    hook_client: reqwest::Client,
    metrics: EventMetrics,
    /// The last incarnation recorded per peer, so that only a change costs a write.
    incarnations: Mutex<HashMap<String, String>>,
    /// Subscribers whose task is running.
    in_flight: Mutex<HashSet<String>>,
}

impl Dispatcher {
    pub fn new(
        source: &ServiceName,
        db: Db,
        clock: Clock,
        settings: &Settings,
        metrics: EventMetrics,
    ) -> anyhow::Result<Self> {
        let peers: HashMap<String, String> = settings
            .peers(source)
            .into_iter()
            .map(|(name, url)| (name.to_string(), url))
            .collect();
        let ev = settings.events.clone();
        // No proxy from the environment: a proxy would resolve webhook hosts itself and
        // bypass the guarded resolver.
        let client = || {
            reqwest::Client::builder()
                .no_proxy()
                .connect_timeout(Duration::from_millis(ev.connect_timeout_ms))
                .timeout(Duration::from_millis(ev.request_timeout_ms))
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("continuity/", env!("CARGO_PKG_VERSION")))
        };
        Ok(Self {
            db,
            clock,
            policy: RetryPolicy::from(&ev),
            peers,
            service_token: settings
                .service_token
                .as_ref()
                .map(|t| t.expose_secret().to_owned())
                .unwrap_or_default(),
            peer_client: client().build()?,
            hook_client: client()
                .dns_resolver(ssrf::guarded_resolver(ev.allow_private_webhook_targets))
                .build()?,
            metrics,
            settings: ev,
            incarnations: Mutex::default(),
            in_flight: Mutex::default(),
        })
    }

    /// Delivers until the process stops. Wakes on every commit, when a subscriber's task
    /// ends, and at least every poll interval (for retries that come due); starts a task
    /// for each subscriber with a delivery it can take now and no task yet.
    pub async fn run(self) {
        let this = Arc::new(self);
        let commits = this.db.commits();
        let finished = Arc::new(Notify::new());
        let poll = Duration::from_millis(this.settings.poll_interval_ms);
        let mut gauges_at = Instant::now() - Duration::from_secs(60);
        let mut pruned_at = Instant::now() - PRUNE_EVERY;
        let refresh = Duration::from_secs(this.settings.subscriptions_refresh_seconds);
        let mut declarations_at = Instant::now() - refresh;
        loop {
            if declarations_at.elapsed() >= refresh {
                this.refresh_declarations().await;
                declarations_at = Instant::now();
            }
            if pruned_at.elapsed() >= PRUNE_EVERY {
                this.prune().await;
                pruned_at = Instant::now();
            }
            if gauges_at.elapsed() >= Duration::from_secs(1) {
                if let Ok(rows) = this.db.read(outbox::backlog).await {
                    this.metrics.set_backlog(&rows);
                }
                gauges_at = Instant::now();
            }
            let now = this.clock.now().naive_utc();
            match this
                .db
                .read(move |c| outbox::claimable_subscribers(c, now))
                .await
            {
                Ok(subscribers) => {
                    for subscriber in subscribers {
                        if this.start(&subscriber) {
                            let (this, finished) = (Arc::clone(&this), Arc::clone(&finished));
                            tokio::spawn(async move {
                                this.serve(&subscriber).await;
                                this.stop(&subscriber);
                                finished.notify_one();
                            });
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e.chain(), "outbox look-up failed"),
            }
            tokio::select! {
                () = commits.notified() => {}
                () = finished.notified() => {}
                () = tokio::time::sleep(poll) => {}
            }
        }
    }

    /// Marks `subscriber` as served; false when a task serves it already.
    fn start(&self, subscriber: &str) -> bool {
        self.in_flight
            .lock()
            .map(|mut s| s.insert(subscriber.to_owned()))
            .unwrap_or(false)
    }

    fn stop(&self, subscriber: &str) {
        if let Ok(mut s) = self.in_flight.lock() {
            s.remove(subscriber);
        }
    }

    /// Delivers to one subscriber until nothing is left that it can take now.
    async fn serve(self: &Arc<Self>, subscriber: &str) {
        loop {
            match self.deliver(subscriber).await {
                Ok(true) => continue,
                Ok(false) => return,
                Err(e) => {
                    tracing::warn!(subscriber, error = %e.chain(), "delivery failed");
                    return;
                }
            }
        }
    }

    async fn prune(&self) {
        let settings = self.settings.clone();
        let now = self.clock.now().naive_utc();
        match self
            .db
            .write(move |c| retention::prune(c, now, &settings))
            .await
        {
            Ok(p) if p != retention::Pruned::default() => tracing::info!(?p, "pruned old events"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e.chain(), "pruning failed"),
        }
    }

    /// Claims a batch for `subscriber`, sends it while renewing its lease, and settles
    /// each event; false when there was nothing to claim.
    async fn deliver(self: &Arc<Self>, subscriber: &str) -> ApiResult<bool> {
        let now = self.clock.now().naive_utc();
        let lease_until = now + self.lease();
        let hook = subscriber.strip_prefix("webhook:").map(str::to_owned);
        let limit = if hook.is_some() {
            1
        } else {
            self.settings.batch_size
        };
        let sub = subscriber.to_owned();
        let claimed = self
            .db
            .write(move |c| outbox::claim(c, &sub, now, lease_until, limit))
            .await?;
        if claimed.is_empty() {
            return Ok(false);
        }
        let renewal = self.renew_while_in_flight(subscriber, &claimed);
        let outcomes = match &hook {
            Some(id) => self.send_webhook(id, &claimed[0]).await,
            None => Ok(Some(self.send_peer(subscriber, &claimed).await)),
        };
        renewal.abort();
        // None: the subscription is gone and its deliveries were cancelled.
        if let Some(outcomes) = outcomes? {
            self.settle(subscriber, &claimed, outcomes).await?;
        }
        Ok(true)
    }

    fn lease(&self) -> chrono::Duration {
        chrono::Duration::seconds(self.settings.lease_seconds)
    }

    /// Extends the lease of `claimed` every third of a lease until aborted, so that a
    /// slow answer does not let another replica take the batch, while a crashed process
    /// lets go within one lease.
    fn renew_while_in_flight(
        self: &Arc<Self>,
        subscriber: &str,
        claimed: &[Claimed],
    ) -> tokio::task::JoinHandle<()> {
        let this = Arc::clone(self);
        let subscriber = subscriber.to_owned();
        let seqs: Vec<i64> = claimed.iter().map(|c| c.event_seq).collect();
        let every = (self.lease() / 3)
            .to_std()
            .unwrap_or(Duration::from_secs(1))
            .max(Duration::from_millis(200));
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let until = this.clock.now().naive_utc() + this.lease();
                let (sub, seqs) = (subscriber.clone(), seqs.clone());
                if let Err(e) = this
                    .db
                    .write(move |c| outbox::renew(c, &sub, &seqs, until))
                    .await
                {
                    tracing::warn!(error = %e.chain(), "could not renew a lease");
                }
            }
        })
    }

    /// Records each event's decision; `outcomes` are in the order of `claimed`.
    async fn settle(
        &self,
        subscriber: &str,
        claimed: &[Claimed],
        outcomes: Vec<Outcome>,
    ) -> ApiResult<()> {
        let now = self.clock.now().naive_utc();
        let mut groups: HashMap<(Decision, Option<u16>, Option<String>), Vec<i64>> = HashMap::new();
        for (c, outcome) in claimed.iter().zip(&outcomes) {
            let decision = match outcome {
                Outcome::Held => Decision::Release,
                o => self
                    .policy
                    .decide(c.attempts + 1, o, now, rand::random::<f64>()),
            };
            let (status, error) = match outcome {
                Outcome::Delivered { status } => (Some(*status), None),
                Outcome::Failed { status, error, .. } => (*status, Some(error.clone())),
                Outcome::Held => (None, None),
            };
            match decision {
                Decision::Delivered => {
                    let age = (now - c.created_at).num_microseconds().unwrap_or(0) as f64 / 1e6;
                    self.metrics.delivered_after(subscriber, age);
                }
                Decision::Dead => {
                    tracing::warn!(subscriber, event = %c.event_id, error = ?error, "event parked as dead")
                }
                _ => {}
            }
            groups
                .entry((decision, status, error))
                .or_default()
                .push(c.event_seq);
        }
        for ((decision, _, _), seqs) in &groups {
            let label = match decision {
                Decision::Delivered => "delivered",
                Decision::RetryAt(_) => "failed",
                Decision::Dead => "dead",
                Decision::Release => "held",
            };
            self.metrics.attempt(subscriber, label, seqs.len() as u64);
        }
        let sub = subscriber.to_owned();
        self.db
            .write(move |c| {
                for ((decision, status, error), seqs) in groups {
                    outbox::record(c, &sub, &seqs, decision, status, error.as_deref(), now)?;
                }
                Ok(())
            })
            .await
    }
}
