//! Staffing: the roster, departments, the project team by department, backups, coverage,
//! the signed HR webhook and the handovers a resignation opens. It owns the roster that
//! the other services copy.

pub mod api;
pub mod db;
pub mod domain;
pub mod events;
pub mod hr_sources;
pub mod service;
pub mod settings;
pub mod startup;

pub use startup::SERVICE;
