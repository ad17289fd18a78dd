//! Training-record's HTTP API: DTOs and thin handlers, one file per resource.

mod attendance;
mod catchup;
mod content;
mod coverage;
mod errors;
mod materials;
mod progress;
mod sessions;
mod uploads;

use continuity_shared::auth::Role;
use utoipa_actix_web::service_config::ServiceConfig;

pub use sessions::SessionResponse;

/// Every role that may read sessions, materials and plans.
pub(crate) const READERS: &[Role] = &[
    Role::Manager,
    Role::Documenter,
    Role::Trainer,
    Role::Integration,
    Role::Service,
];

/// Who records sessions and their materials.
pub(crate) const SESSION_WRITERS: &[Role] = &[Role::Manager, Role::Trainer, Role::Documenter];

/// Who records attendance.
pub(crate) const ATTENDANCE_WRITERS: &[Role] = &[Role::Manager, Role::Trainer, Role::Integration];

/// Who reports progress on anyone's behalf (a member reports only their own).
pub(crate) const PROGRESS_REPORTERS: &[Role] = &[Role::Integration];

pub fn routes(cfg: &mut ServiceConfig) {
    // actix tries routes in order, a regex capture each: the requests that come by the
    // thousand (players' progress reports, people reading their plans) are tried first.
    cfg.service(progress::put_progress)
        .service(catchup::get_catch_up)
        .service(sessions::create_session)
        .service(sessions::list_sessions)
        .service(sessions::get_session)
        .service(sessions::patch_session)
        .service(attendance::put_attendance)
        .service(attendance::put_attendance_bulk)
        .service(materials::add_material)
        .service(materials::get_material)
        .service(uploads::discover)
        .service(uploads::create_upload)
        .service(uploads::upload_status)
        .service(uploads::continue_upload)
        .service(uploads::terminate_upload)
        .service(content::get_content)
        .service(content::get_playback)
        .service(coverage::get_coverage);
    // The read-only views of the roster copy this service keeps.
    continuity_shared::roster::api::routes(cfg);
}
