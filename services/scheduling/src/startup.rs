//! What scheduling is to the platform: its definition, and what it adds when it starts.

use continuity_contract::ServiceName;
use continuity_shared::roster::{self, RosterCopy};
use continuity_shared::service::{Extensions, Platform, ServiceDef};

use crate::events::RosterReactions;
use crate::service::scoring::ScoringSettings;
use crate::settings::SchedulingSettings;
use crate::{api, events};

pub static SERVICE: ServiceDef = ServiceDef {
    name: "scheduling",
    default_port: 8084,
    title: "Continuity scheduling",
    description: "Resignation seasonality from HR history and implementation windows that avoid the peaks.",
    migrations: &[roster::MIGRATIONS, continuity_shared::migrations!()],
    subscriptions: events::SUBSCRIPTIONS,
    routes: api::routes,
    setup,
};

fn setup(platform: &Platform) -> anyhow::Result<Extensions> {
    let settings: SchedulingSettings = platform.settings.section(&platform.name)?;
    let producer = ServiceName::parse(events::ROSTER_PRODUCER)?;
    let clock = platform.clock.clone();
    Ok(Extensions::default()
        .roster_copy(RosterCopy::of(producer).with_hook(RosterReactions {
            clock,
            settings: ScoringSettings {
                settling_in_days: settings.settling_in_days,
                hiring_delay_days: settings.hiring_delay_days,
                draws: settings.monte_carlo_draws,
            },
        }))
        .data(settings))
}
