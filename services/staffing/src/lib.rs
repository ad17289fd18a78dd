//! Staffing: the roster, departments, the project team by department, backups, coverage,
//! the signed HR webhook and the handovers a resignation opens. It owns the roster that
//! the other services copy.

pub mod api;
pub mod db;
pub mod domain;
pub mod service;

use continuity_shared::server::ServiceDef;

pub static SERVICE: ServiceDef = ServiceDef {
    name: "staffing",
    title: "Continuity staffing",
    description: "Roster, departments, project teams, coverage, HR webhook and handovers.",
    migrations: continuity_shared::migrations!(),
    routes: api::routes,
    roster_copy: false,
    on_event: continuity_shared::events::ignore_events,
};
