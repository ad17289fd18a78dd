//! What staffing is to the platform: its definition, and what it adds when it starts.

use continuity_contract::ServiceName;
use continuity_shared::service::{Extensions, Platform, ServiceDef};

use crate::settings::StaffingSettings;
use crate::{api, events, service};

pub static SERVICE: ServiceDef = ServiceDef {
    name: "staffing",
    default_port: 8081,
    title: "Continuity staffing",
    description: "Roster, departments, project teams, coverage, HR webhook and handovers.",
    migrations: &[continuity_shared::migrations!()],
    subscriptions: events::SUBSCRIPTIONS,
    routes: api::routes,
    setup,
};

/// The services staffing delivers to: the only ones a snapshot may be queued for.
pub struct Peers(pub Vec<ServiceName>);

fn setup(platform: &Platform) -> anyhow::Result<Extensions> {
    let settings: StaffingSettings = platform.settings.section(&platform.name)?;
    let peers = platform
        .settings
        .peers(&platform.name)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let hr_keys = platform.settings.hr_webhook_keys();
    if hr_keys.is_empty() {
        tracing::warn!(
            "no HR webhook secret is configured: POST /v1/hr/events refuses every delivery"
        );
    }
    Ok(Extensions::default()
        .data(settings)
        .data(Peers(peers))
        .data(api::RunningReplays::default())
        .data(api::HrWebhookKeys(hr_keys))
        .job(service::leavers::job(platform.db.clone())))
}
