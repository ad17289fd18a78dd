//! Reading each peer's declaration of the event types it takes, for routing.

use continuity_contract::{EventType, ServiceName};
use reqwest::header::AUTHORIZATION;

use super::Dispatcher;
use super::send::read_json;
use crate::events::api::Declaration;
use crate::events::peers;

/// A declaration is a short list of types; anything longer is not one.
const DECLARATION_LIMIT: usize = 64 * 1024;

impl Dispatcher {
    /// Reads each peer's declaration and stores what changed. A peer that does not answer
    /// keeps its last declaration (or none: every event).
    pub(super) async fn refresh_declarations(&self) {
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
                Ok(r) if r.status().is_success() => match read_json(r, DECLARATION_LIMIT).await {
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
}
