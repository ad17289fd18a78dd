//! The dispatcher: delivers a service's outbox to the peer services (in batches) and to
//! webhook subscriptions (one signed message each), with timeouts, backoff, `Retry-After`
//! and dead-lettering. Several replicas may run it against one PostgreSQL database: a
//! delivery is leased by one of them at a time.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use secrecy::ExposeSecret;

use continuity_contract::{EventType, ServiceName};

use super::api::Declaration;
use super::metrics::EventMetrics;
use super::outbox::{self, Claimed};
use super::policy::{Decision, Outcome, RetryPolicy, parse_retry_after};
use super::{incarnation, peers, retention, ssrf, webhooks};
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
    incarnations: std::sync::Mutex<HashMap<String, String>>,
}

impl Dispatcher {
    pub fn new(
        source: &ServiceName,
        db: Db,
        clock: Clock,
        settings: &Settings,
        metrics: EventMetrics,
    ) -> anyhow::Result<Self> {
        let peers = settings
            .peers(source)
            .into_iter()
            .map(|(name, url)| (name.to_string(), url))
            .collect();
        let ev = settings.events.clone();
        let timeouts = |b: reqwest::ClientBuilder| {
            b.connect_timeout(Duration::from_millis(ev.connect_timeout_ms))
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
            peer_client: timeouts(reqwest::Client::builder()).build()?,
            hook_client: timeouts(reqwest::Client::builder())
                // A proxy from the environment would resolve the host itself, past the guard.
                .no_proxy()
                .dns_resolver(ssrf::guarded_resolver(ev.allow_private_webhook_targets))
                .build()?,
            metrics,
            settings: ev,
            incarnations: std::sync::Mutex::default(),
        })
    }

    /// Delivers until the process stops, waking on every commit and at least every poll
    /// interval (for retries that come due).
    pub async fn run(self) {
        let commits = self.db.commits();
        let poll = Duration::from_millis(self.settings.poll_interval_ms);
        let mut gauges_at = Instant::now() - Duration::from_secs(60);
        let mut pruned_at = Instant::now() - PRUNE_EVERY;
        let refresh = Duration::from_secs(self.settings.subscriptions_refresh_seconds);
        let mut declarations_at = Instant::now() - refresh;
        loop {
            if declarations_at.elapsed() >= refresh {
                self.refresh_declarations().await;
                declarations_at = Instant::now();
            }
            if pruned_at.elapsed() >= PRUNE_EVERY {
                self.prune().await;
                pruned_at = Instant::now();
            }
            if gauges_at.elapsed() >= Duration::from_secs(1) {
                if let Ok(rows) = self.db.read(outbox::backlog).await {
                    self.metrics.set_backlog(&rows);
                }
                gauges_at = Instant::now();
            }
            let worked = match self.round().await {
                Ok(w) => w,
                Err(e) => {
                    tracing::warn!(error = %e.chain(), "outbox round failed");
                    false
                }
            };
            if !worked {
                tokio::select! {
                    () = commits.notified() => {}
                    () = tokio::time::sleep(poll) => {}
                }
            }
        }
    }

    /// Reads each peer's declaration of the types it takes and stores what changed. A
    /// peer that does not answer keeps its last declaration (or none: every event).
    async fn refresh_declarations(&self) {
        for (peer, base) in &self.peers {
            let Ok(name) = ServiceName::parse(peer) else {
                continue;
            };
            let res = self
                .peer_client
                .get(format!("{base}/v1/events/subscriptions"))
                .header(AUTHORIZATION, format!("Bearer {}", self.service_token))
                .send()
                .await;
            let declared: Declaration = match res {
                Ok(r) if r.status().is_success() => match read_json(r).await {
                    Some(d) => d,
                    None => {
                        tracing::warn!(peer, "a peer's declaration of event types does not parse");
                        continue;
                    }
                },
                Ok(r) => {
                    tracing::debug!(
                        peer,
                        status = r.status().as_u16(),
                        "no declaration from peer"
                    );
                    continue;
                }
                Err(e) => {
                    tracing::debug!(peer, error = %e, "peer not reachable for its declaration");
                    continue;
                }
            };
            if declared.service != name {
                tracing::warn!(peer, answered = %declared.service, "a peer answered under another name");
                continue;
            }
            let types: Vec<EventType> = declared.event_types;
            let now = self.clock.now().naive_utc();
            match self
                .db
                .write(move |c| peers::record_declaration(c, &name, &types, now))
                .await
            {
                Ok(true) => tracing::info!(peer, "peer declared the event types it takes"),
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(error = %crate::ApiError::from(e).chain(), "could not store a declaration")
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

    /// One pass over every subscriber with deliveries due; false when there were none.
    pub async fn round(&self) -> ApiResult<bool> {
        let now = self.clock.now().naive_utc();
        let subscribers = self
            .db
            .read(move |c| outbox::due_subscribers(c, now))
            .await?;
        if subscribers.is_empty() {
            return Ok(false);
        }
        let results = join_all(subscribers.into_iter().map(|s| self.deliver(s))).await;
        for r in results {
            r?;
        }
        Ok(true)
    }

    async fn deliver(&self, subscriber: String) -> ApiResult<()> {
        let now = self.clock.now().naive_utc();
        let lease_until = now + chrono::Duration::seconds(self.settings.lease_seconds);
        let hook = subscriber.strip_prefix("webhook:").map(str::to_owned);
        let limit = if hook.is_some() {
            1
        } else {
            self.settings.batch_size
        };
        let sub = subscriber.clone();
        let claimed = self
            .db
            .write(move |c| outbox::claim(c, &sub, now, lease_until, limit))
            .await?;
        if claimed.is_empty() {
            return Ok(());
        }
        let outcome = match &hook {
            Some(id) => match self.send_webhook(id, &claimed[0]).await? {
                Some(o) => o,
                None => return Ok(()), // subscription gone; its deliveries were cancelled
            },
            None => self.send_peer(&subscriber, &claimed).await,
        };
        self.settle(&subscriber, &claimed, &outcome).await
    }

    async fn settle(
        &self,
        subscriber: &str,
        claimed: &[Claimed],
        outcome: &Outcome,
    ) -> ApiResult<()> {
        let now = self.clock.now().naive_utc();
        let mut groups: HashMap<Decision, Vec<i64>> = HashMap::new();
        for c in claimed {
            let decision = self
                .policy
                .decide(c.attempts + 1, outcome, now, rand::random::<f64>());
            groups.entry(decision).or_default().push(c.event_seq);
        }
        let (status, error) = match outcome {
            Outcome::Delivered { status } => (Some(*status), None),
            Outcome::Failed { status, error, .. } => (*status, Some(error.clone())),
        };
        for (decision, seqs) in &groups {
            let label = match decision {
                Decision::Delivered => "delivered",
                Decision::RetryAt(_) => "failed",
                Decision::Dead => "dead",
            };
            self.metrics.attempt(subscriber, label, seqs.len() as u64);
            if *decision == Decision::Dead {
                tracing::warn!(subscriber, events = seqs.len(), error = ?error, "events parked as dead");
            }
        }
        if matches!(outcome, Outcome::Delivered { .. }) {
            for c in claimed {
                let age = (now - c.created_at).num_microseconds().unwrap_or(0) as f64 / 1e6;
                self.metrics.delivered_after(subscriber, age);
            }
        }
        let sub = subscriber.to_owned();
        self.db
            .write(move |c| {
                for (decision, seqs) in groups {
                    outbox::record(c, &sub, &seqs, decision, status, error.as_deref(), now)?;
                }
                Ok(())
            })
            .await
    }

    async fn send_peer(&self, subscriber: &str, claimed: &[Claimed]) -> Outcome {
        let Some(base) = self.peers.get(subscriber) else {
            return Outcome::Failed {
                status: None,
                error: format!("no base URL for subscriber {subscriber}"),
                retry_after: None,
            };
        };
        let mut body =
            String::with_capacity(claimed.iter().map(|c| c.payload.len() + 1).sum::<usize>() + 2);
        body.push('[');
        for (i, c) in claimed.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(&c.payload);
        }
        body.push(']');
        let res = self
            .peer_client
            .post(format!("{base}/v1/events"))
            .header(CONTENT_TYPE, BATCH_CONTENT_TYPE)
            .header(AUTHORIZATION, format!("Bearer {}", self.service_token))
            .body(body)
            .send()
            .await;
        match res {
            Ok(r) if r.status().is_success() => {
                let status = r.status().as_u16();
                let answer: serde_json::Value = read_json(r).await.unwrap_or_default();
                if let Some(incarnation) = answer["incarnation"].as_str() {
                    self.note_incarnation(subscriber, incarnation).await;
                }
                Outcome::Delivered { status }
            }
            other => outcome_of(other).await,
        }
    }

    async fn note_incarnation(&self, subscriber: &str, incarnation: &str) {
        let known = self
            .incarnations
            .lock()
            .map(|m| m.get(subscriber).is_some_and(|i| i == incarnation))
            .unwrap_or(false);
        if known {
            return;
        }
        let (sub, inc) = (subscriber.to_owned(), incarnation.to_owned());
        match self
            .db
            .write(move |c| incarnation::record_peer(c, &sub, &inc))
            .await
        {
            Ok(()) => {
                if let Ok(mut m) = self.incarnations.lock() {
                    m.insert(subscriber.to_owned(), incarnation.to_owned());
                }
            }
            Err(e) => tracing::warn!(error = %e.chain(), "could not record a peer's incarnation"),
        }
    }

    /// `None` when the subscription no longer exists or is inactive.
    async fn send_webhook(&self, id: &str, event: &Claimed) -> ApiResult<Option<Outcome>> {
        let sid = id.to_owned();
        let Some(sub) = self
            .db
            .read(move |c| webhooks::find(c, &sid))
            .await?
            .filter(|s| s.active)
        else {
            let subscriber = outbox::webhook_subscriber(id);
            self.db
                .write(move |c| outbox::cancel_pending(c, &subscriber))
                .await?;
            return Ok(None);
        };
        let started = Instant::now();
        let outcome = match self.check_literal_target(&sub.url) {
            Err(error) => Outcome::Failed {
                status: None,
                error,
                retry_after: None,
            },
            Ok(()) => {
                let ts = self.clock.now().timestamp();
                let signature =
                    webhooks::sign(&sub.secret, &event.event_id, ts, event.payload.as_bytes())?;
                let res = self
                    .hook_client
                    .post(&sub.url)
                    .header(CONTENT_TYPE, "application/json")
                    .header("webhook-id", &event.event_id)
                    .header("webhook-timestamp", ts.to_string())
                    .header("webhook-signature", signature)
                    .body(event.payload.clone())
                    .send()
                    .await;
                outcome_of(res).await
            }
        };
        let attempt = webhooks::AttemptRow {
            id: crate::ids::new_id().to_string(),
            subscription_id: sub.id.clone(),
            event_id: event.event_id.clone(),
            event_type: event.event_type.clone(),
            attempted_at: self.clock.now().naive_utc(),
            status_code: match &outcome {
                Outcome::Delivered { status } => Some(i32::from(*status)),
                Outcome::Failed { status, .. } => status.map(i32::from),
            },
            error: match &outcome {
                Outcome::Delivered { .. } => None,
                Outcome::Failed { error, .. } => Some(error.chars().take(500).collect()),
            },
            duration_ms: started.elapsed().as_millis() as i64,
        };
        self.db
            .write(move |c| webhooks::log_attempt(c, &attempt))
            .await?;
        Ok(Some(outcome))
    }

    /// A URL with an IP literal never meets the guarded resolver: check it here.
    fn check_literal_target(&self, url: &str) -> Result<(), String> {
        if self.settings.allow_private_webhook_targets {
            return Ok(());
        }
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("bad URL: {e}"))?;
        let literal = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
            _ => None,
        };
        match literal {
            Some(ip) if !ssrf::is_public(ip) => Err(format!("{ip} is not a public address")),
            _ => Ok(()),
        }
    }
}

/// A peer's JSON answer, read up to a bound: a peer is trusted to answer, not to answer
/// anything at all.
async fn read_json<T: serde::de::DeserializeOwned>(mut r: reqwest::Response) -> Option<T> {
    const LIMIT: usize = 64 * 1024;
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = r.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() > LIMIT {
            return None;
        }
    }
    serde_json::from_slice(&body).ok()
}

async fn outcome_of(res: reqwest::Result<reqwest::Response>) -> Outcome {
    match res {
        Ok(r) if r.status().is_success() => Outcome::Delivered {
            status: r.status().as_u16(),
        },
        Ok(r) => {
            let status = r.status().as_u16();
            let retry_after =
                parse_retry_after(r.headers().get(RETRY_AFTER).and_then(|v| v.to_str().ok()));
            let text = r.text().await.unwrap_or_default();
            Outcome::Failed {
                status: Some(status),
                error: format!(
                    "HTTP {status}: {}",
                    text.chars().take(300).collect::<String>()
                ),
                retry_after,
            }
        }
        Err(e) => Outcome::Failed {
            status: None,
            error: e.to_string(),
            retry_after: None,
        },
    }
}
