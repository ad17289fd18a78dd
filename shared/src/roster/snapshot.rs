//! Catching up: a service whose inbox has never heard from the roster's producer asks it
//! for a snapshot "if needed", naming its database incarnation, and keeps asking until the
//! producer answers (it may start later). The producer sends one only if it had delivered
//! to another incarnation of this service before: then the service's data was lost;
//! otherwise everything is still queued for it.

use std::time::Duration;

use secrecy::ExposeSecret;

use continuity_contract::ServiceName;

use crate::db::Db;
use crate::events::inbox;
use crate::settings::Settings;

pub(crate) struct SnapshotRequest {
    subscriber: ServiceName,
    producer: ServiceName,
    db: Db,
    base_url: Option<String>,
    token: String,
    incarnation: String,
}

impl SnapshotRequest {
    pub fn new(
        subscriber: ServiceName,
        producer: ServiceName,
        db: Db,
        settings: &Settings,
        incarnation: String,
    ) -> Self {
        Self {
            incarnation,
            subscriber,
            base_url: settings.service(&producer).base_url(),
            producer,
            db,
            token: settings
                .service_token
                .as_ref()
                .map(|t| t.expose_secret().to_owned())
                .unwrap_or_default(),
        }
    }

    pub async fn run(self) {
        let Some(base) = self.base_url else { return };
        let producer = self.producer.to_string();
        match self.db.read(move |c| inbox::count_from(c, &producer)).await {
            Ok(0) => {}
            _ => return, // already fed by the producer's outbox
        }
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_secs(30))
            .build();
        let Ok(client) = client else { return };
        let mut wait = Duration::from_millis(500);
        loop {
            let res = client
                .post(format!("{base}/v1/events/replay"))
                .bearer_auth(&self.token)
                .json(&serde_json::json!({
                    "subscriber": self.subscriber.as_str(),
                    "if_needed": true,
                    "incarnation": self.incarnation,
                }))
                .send()
                .await;
            match res {
                Ok(r) if r.status().is_success() => {
                    tracing::info!(
                        producer = %self.producer,
                        "roster snapshot requested"
                    );
                    return;
                }
                Ok(r) => tracing::warn!(
                    status = r.status().as_u16(),
                    "the producer refused the snapshot request"
                ),
                Err(e) => {
                    tracing::debug!(error = %e, "the producer is not reachable yet for a snapshot")
                }
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(30));
        }
    }
}
