//! Resignation seasonality from HR history and implementation windows that avoid the peaks.

pub mod api;

use continuity_shared::server::ServiceDef;

pub static SERVICE: ServiceDef = ServiceDef {
    name: "scheduling",
    title: "Continuity scheduling",
    description: "Resignation seasonality from HR history and implementation windows that avoid the peaks.",
    migrations: continuity_shared::migrations!(),
    routes: api::routes,
    roster_copy: true,
    on_event: continuity_shared::events::ignore_events,
};
