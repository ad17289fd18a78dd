//! Staffing's use cases: each owns its transaction and publishes its events in it.

pub mod coverage;
pub mod departments;
pub mod employees;
pub mod errors;
pub mod events;
pub mod handovers;
pub mod hr_events;
pub mod leavers;
pub mod projects;
pub mod reactions;
pub mod teams;

pub use errors::{StaffingError, StaffingResult};

/// What a `PUT` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Put {
    Created,
    Updated,
    Unchanged,
}
