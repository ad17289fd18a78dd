//! Staffing's HTTP API: DTOs and thin handlers, one file per resource.

mod departments;
mod employees;
mod errors;
mod hr_events;
mod hr_signature;
mod import;
mod replay;
mod replay_lock;

use continuity_shared::auth::Role;
use utoipa_actix_web::service_config::ServiceConfig;

pub use departments::DepartmentResponse;
pub use employees::EmployeeResponse;
pub use hr_events::HrEventResponse;
pub use hr_signature::HrWebhookKeys;
pub use replay_lock::RunningReplays;

/// Every role that may read the roster.
pub(crate) const READERS: &[Role] = &[
    Role::Manager,
    Role::Documenter,
    Role::Trainer,
    Role::Integration,
    Role::Service,
];

/// Who may change the roster by hand.
pub(crate) const ROSTER_WRITERS: &[Role] = &[Role::Manager];

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(departments::put_department)
        .service(departments::get_department)
        .service(departments::list_departments)
        .service(import::import_employees)
        .service(employees::put_employee)
        .service(employees::get_employee)
        .service(employees::list_employees)
        .service(replay::replay)
        .service(hr_events::receive_hr_event)
        .service(hr_events::list_hr_events)
        .service(hr_events::get_hr_event)
        .service(hr_events::replay_hr_event);
}
