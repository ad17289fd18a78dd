//! Staffing's tables, rows and queries.

pub mod coverage;
pub mod departments;
pub mod employees;
pub mod handovers;
pub mod hr_events;
pub mod projects;
pub mod schema;
pub mod team;
