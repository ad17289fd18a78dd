//! Sending: a batch to a peer service (answered event by event), one signed message to a
//! webhook; answers read only up to a bound, so a hostile receiver cannot exhaust memory.

use std::sync::Arc;
use std::time::Instant;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};

use super::{BATCH_CONTENT_TYPE, Dispatcher};
use crate::error::ApiResult;
use crate::events::inbox::{EventResult, Outcome as Received};
use crate::events::outbox::{self, Claimed};
use crate::events::policy::{Outcome, parse_retry_after};
use crate::events::{incarnation, ssrf, webhooks};

/// How much of a failing answer is kept for the log.
const ERROR_BODY_LIMIT: usize = 4 * 1024;

impl Dispatcher {
    /// Sends `claimed` to a peer in one batch; one outcome per event, in order.
    pub(super) async fn send_peer(&self, subscriber: &str, claimed: &[Claimed]) -> Vec<Outcome> {
        let all = |o: Outcome| vec![o; claimed.len()];
        let Some(base) = self.peers.get(subscriber) else {
            return all(Outcome::Failed {
                status: None,
                error: format!("no base URL for subscriber {subscriber}"),
                retry_after: None,
            });
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
        let r = match res {
            Ok(r) if r.status().is_success() => r,
            other => return all(outcome_of(other).await),
        };
        let status = r.status().as_u16();
        // A result per event, each about 100 bytes, and a little more.
        let limit = 4096 + claimed.len() * 512;
        // A 2xx means stored (the contract); a receiver that says no more than that
        // settles the whole batch, one that answers event by event settles each.
        let answer: Option<serde_json::Value> = read_json(r, limit).await;
        if let Some(incarnation) = answer.as_ref().and_then(|a| a["incarnation"].as_str()) {
            self.note_incarnation(subscriber, incarnation).await;
        }
        let Some(mut answer) = answer.filter(|a| a.get("results").is_some()) else {
            return all(Outcome::Delivered { status });
        };
        let results = answer["results"].take();
        let Ok(results) = serde_json::from_value::<Vec<EventResult>>(results) else {
            return all(Outcome::Failed {
                status: Some(status),
                error: "the answer's results do not parse".into(),
                retry_after: None,
            });
        };
        if results.len() != claimed.len() {
            return all(Outcome::Failed {
                status: Some(status),
                error: format!("{} results for {} events", results.len(), claimed.len()),
                retry_after: None,
            });
        }
        results
            .iter()
            .map(|r| match r.outcome {
                o if o.is_settled() => Outcome::Delivered { status },
                Received::Held => Outcome::Held,
                _ => {
                    let problem = r.problem.as_ref();
                    Outcome::Failed {
                        status: problem.map(|p| p.status),
                        error: problem
                            .map(|p| {
                                let fields: Vec<String> = p
                                    .errors
                                    .iter()
                                    .map(|f| format!("{}: {}", f.field, f.message))
                                    .collect();
                                format!("{} {}", p.detail, fields.join("; "))
                            })
                            .unwrap_or_else(|| "refused".into()),
                        retry_after: None,
                    }
                }
            })
            .collect()
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

    /// Sends one event to a webhook subscription and logs the attempt; `None` when the
    /// subscription no longer exists or is inactive.
    pub(super) async fn send_webhook(
        self: &Arc<Self>,
        id: &str,
        event: &Claimed,
    ) -> ApiResult<Option<Vec<Outcome>>> {
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
        let (status_code, error) = match &outcome {
            Outcome::Delivered { status } => (Some(i32::from(*status)), None),
            Outcome::Failed { status, error, .. } => (
                status.map(i32::from),
                Some(error.chars().take(500).collect()),
            ),
            Outcome::Held => (None, None),
        };
        let attempt = webhooks::AttemptRow {
            id: crate::ids::new_id().to_string(),
            subscription_id: sub.id.clone(),
            event_id: event.event_id.clone(),
            event_type: event.event_type.clone(),
            attempted_at: self.clock.now().naive_utc(),
            status_code,
            error,
            duration_ms: started.elapsed().as_millis() as i64,
        };
        self.db
            .write(move |c| webhooks::log_attempt(c, &attempt))
            .await?;
        Ok(Some(vec![outcome]))
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

/// A JSON answer read up to `limit` bytes.
pub(super) async fn read_json<T: serde::de::DeserializeOwned>(
    r: reqwest::Response,
    limit: usize,
) -> Option<T> {
    serde_json::from_slice(&crate::http::body::read_bounded(r, limit).await?).ok()
}

/// What a failed or succeeded attempt comes to; of a failing answer only the first few
/// KiB are read (the rest is dropped with the connection).
pub(super) async fn outcome_of(res: reqwest::Result<reqwest::Response>) -> Outcome {
    match res {
        Ok(r) if r.status().is_success() => Outcome::Delivered {
            status: r.status().as_u16(),
        },
        Ok(mut r) => {
            let status = r.status().as_u16();
            let retry_after =
                parse_retry_after(r.headers().get(RETRY_AFTER).and_then(|v| v.to_str().ok()));
            let mut text = Vec::new();
            while text.len() < ERROR_BODY_LIMIT {
                match r.chunk().await {
                    Ok(Some(chunk)) => text.extend_from_slice(&chunk),
                    _ => break,
                }
            }
            text.truncate(ERROR_BODY_LIMIT);
            let text = String::from_utf8_lossy(&text);
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
