//! The process-change HTTP API. The service's own resources arrive with its issue; the shared
//! operations endpoints (health, metrics, OpenAPI, docs) are registered by the common crate.

use utoipa_actix_web::service_config::ServiceConfig;

pub fn routes(cfg: &mut ServiceConfig) {
    // The read-only views of the roster copy this service keeps.
    continuity_shared::roster::api::routes(cfg);
}
