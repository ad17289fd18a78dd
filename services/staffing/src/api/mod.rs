//! Staffing's HTTP API: DTOs and thin handlers, one file per resource.

mod coverage;
mod coverage_cache;
mod departments;
mod employees;
mod errors;
mod handovers;
mod hr_events;
mod hr_signature;
mod hr_sources;
mod import;
mod projects;
mod replay;
mod replay_lock;
mod team;

use continuity_shared::auth::Role;
use utoipa_actix_web::service_config::ServiceConfig;

pub use coverage_cache::CoverageCache;
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

/// Who may create and change projects and their teams.
pub(crate) const TEAM_WRITERS: &[Role] = &[Role::Manager];

/// Who assigns successors and forces a handover's completion.
pub(crate) const HANDOVER_MANAGERS: &[Role] = &[Role::Manager];

/// Who may complete a handover whose parts are done (the CRM may close it for the manager).
pub(crate) const HANDOVER_COMPLETERS: &[Role] = &[Role::Manager, Role::Integration];

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(departments::put_department)
        .service(departments::get_department)
        .service(departments::list_departments)
        .service(import::import_employees)
        .service(employees::put_employee)
        .service(employees::get_employee)
        .service(employees::list_employees)
        .service(replay::replay)
        .service(projects::create_project)
        .service(projects::list_projects)
        .service(projects::get_project)
        .service(projects::patch_project)
        .service(team::put_member)
        .service(team::delete_member)
        .service(team::list_members)
        .service(coverage::get_coverage)
        .service(handovers::list_handovers)
        .service(handovers::get_handover)
        .service(handovers::assign_successor)
        .service(handovers::complete_handover)
        .service(hr_events::receive_hr_event)
        .service(hr_events::list_hr_events)
        .service(hr_events::get_hr_event)
        .service(hr_events::replay_hr_event)
        .service(hr_sources::receive_source_event)
        .service(hr_sources::check_source_url);
}
