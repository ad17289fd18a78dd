//! What process-change is to the platform: its definition, and what it adds when it starts.

use continuity_shared::roster::{self, RosterCopy};
use continuity_shared::service::{Extensions, Platform, ServiceDef};

use crate::settings::ProcessChangeSettings;
use crate::{api, events};

pub static SERVICE: ServiceDef = ServiceDef {
    name: "process-change",
    default_port: 8083,
    title: "Continuity process-change",
    description: "Business-process changes, liaison notices to departments and person-by-person acknowledgments.",
    migrations: &[roster::MIGRATIONS, continuity_shared::migrations!()],
    subscriptions: events::SUBSCRIPTIONS,
    routes: api::routes,
    setup,
};

fn setup(platform: &Platform) -> anyhow::Result<Extensions> {
    let settings: ProcessChangeSettings = platform.settings.section(&platform.name)?;
    let copy = RosterCopy::of(settings.roster_from.clone());
    Ok(Extensions::default().roster_copy(copy).data(settings))
}
