//! Training sessions, their recordings, attendance, viewing progress and each person's catch-up plan.

pub mod api;

use continuity_shared::server::ServiceDef;

pub static SERVICE: ServiceDef = ServiceDef {
    name: "training-record",
    title: "Continuity training-record",
    description: "Training sessions, their recordings, attendance, viewing progress and each person's catch-up plan.",
    migrations: continuity_shared::migrations!(),
    routes: api::routes,
    roster_copy: true,
    on_event: continuity_shared::events::ignore_events,
};
