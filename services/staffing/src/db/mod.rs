//! Staffing's tables, rows and queries.

pub mod departments;
pub mod employees;
pub mod hr_events;
pub mod schema;
