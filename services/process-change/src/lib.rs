//! Business-process changes, liaison notices to departments and person-by-person acknowledgments.

pub mod api;

use continuity_shared::server::ServiceDef;

pub static SERVICE: ServiceDef = ServiceDef {
    name: "process-change",
    title: "Continuity process-change",
    description: "Business-process changes, liaison notices to departments and person-by-person acknowledgments.",
    migrations: continuity_shared::migrations!(),
    routes: api::routes,
    roster_copy: true,
    on_event: continuity_shared::events::ignore_events,
};
