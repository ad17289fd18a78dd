//! Process-change's HTTP API: DTOs and thin handlers, one file per resource; the printable
//! documents in their own modules.

mod acknowledgments;
mod changes;
mod comparison;
mod document;
mod errors;
mod format;
mod notices;

use continuity_shared::auth::Role;
use utoipa_actix_web::service_config::ServiceConfig;

/// Every role that may read changes, notices and who has acknowledged.
pub(crate) const READERS: &[Role] = &[
    Role::Manager,
    Role::Documenter,
    Role::Trainer,
    Role::Integration,
    Role::Service,
];

/// Who bundles approved changes into notices and publishes them.
pub(crate) const PUBLISHERS: &[Role] = &[Role::Manager, Role::Documenter];

/// Who may acknowledge on anyone's behalf (a member acknowledges only for itself).
pub(crate) const ACKNOWLEDGERS: &[Role] = &[Role::Integration];

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(changes::create_change)
        .service(changes::list_changes)
        .service(comparison::get_comparison)
        .service(changes::get_change)
        .service(changes::patch_change)
        .service(changes::approve_change)
        .service(notices::create_notice)
        .service(notices::publish_notice)
        .service(notices::get_notice)
        .service(acknowledgments::acknowledge)
        .service(acknowledgments::list_acknowledgments)
        .service(acknowledgments::pending_acknowledgments);
    // The read-only views of the roster copy this service keeps.
    continuity_shared::roster::api::routes(cfg);
}
