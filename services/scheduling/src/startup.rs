//! What scheduling is to the platform: its definition, and what it adds when it starts.

use continuity_contract::ServiceName;
use continuity_shared::roster::{self, RosterCopy};
use continuity_shared::service::{Extensions, Platform, ServiceDef};

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

fn setup(_: &Platform) -> anyhow::Result<Extensions> {
    let producer = ServiceName::parse(events::ROSTER_PRODUCER)?;
    Ok(Extensions::default().roster_copy(RosterCopy::of(producer)))
}
