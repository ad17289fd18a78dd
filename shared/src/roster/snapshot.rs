//! Catching up: a service whose inbox has never heard from staffing asks staffing for a
//! snapshot of the roster "if needed", naming its database incarnation, and keeps asking
//! until staffing answers (it may start later). Staffing sends one only if it had
//! delivered to another incarnation of this service before: then the service's data was
//! lost; otherwise everything is still queued for it.

use std::time::Duration;

use secrecy::ExposeSecret;

use crate::db::Db;
use crate::events::inbox;
use crate::settings::Settings;

pub struct SnapshotRequest {
    subscriber: &'static str,
    db: Db,
    staffing: Option<String>,
    token: String,
    incarnation: String,
}

impl SnapshotRequest {
    pub fn new(subscriber: &'static str, db: Db, settings: &Settings, incarnation: String) -> Self {
        Self {
            incarnation,
            subscriber,
            db,
            staffing: settings.base_url("staffing"),
            token: settings
                .service_token
                .as_ref()
                .map(|t| t.expose_secret().to_owned())
                .unwrap_or_default(),
        }
    }

    pub async fn run(self) {
        let Some(base) = self.staffing else { return };
        match self.db.read(|c| inbox::count_from(c, "staffing")).await {
            Ok(0) => {}
            _ => return, // already fed by staffing's outbox
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
                    "subscriber": self.subscriber,
                    "if_needed": true,
                    "incarnation": self.incarnation,
                }))
                .send()
                .await;
            match res {
                Ok(r) if r.status().is_success() => {
                    tracing::info!(
                        subscriber = self.subscriber,
                        "roster snapshot requested from staffing"
                    );
                    return;
                }
                Ok(r) => tracing::warn!(
                    status = r.status().as_u16(),
                    "staffing refused the snapshot request"
                ),
                Err(e) => tracing::debug!(error = %e, "staffing not reachable yet for a snapshot"),
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(30));
        }
    }
}
