//! Scheduling's HTTP API: DTOs and thin handlers, one file per resource.

mod errors;
mod import;
mod pictures;
mod recommendations;
mod risk;
mod seasonality;

use continuity_shared::auth::Role;
use utoipa_actix_web::service_config::ServiceConfig;

/// Who may read the history's statistics and the schedules.
pub(crate) const READERS: &[Role] = &[
    Role::Manager,
    Role::Documenter,
    Role::Trainer,
    Role::Integration,
    Role::Service,
];

/// Who may load history from the HR system (admin always may).
pub(crate) const IMPORTERS: &[Role] = &[Role::Manager, Role::Integration];

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(import::import_history)
        .service(seasonality::get_seasonality)
        .service(pictures::get_seasonality_svg)
        .service(recommendations::recommend)
        .service(pictures::get_recommendation_svg)
        .service(risk::get_risk);
    // The read-only views of the roster copy this service keeps.
    continuity_shared::roster::api::routes(cfg);
}
