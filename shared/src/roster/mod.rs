//! The copy of staffing's roster that training-record, process-change and scheduling keep:
//! departments, employees (with status and last working day), projects and team members,
//! fed by staffing's events and readable for inspection.

pub mod api;
mod apply;
pub mod schema;
pub mod snapshot;

pub use apply::apply;
