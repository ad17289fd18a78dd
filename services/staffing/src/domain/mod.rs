//! Staffing's domain types and rules, free of I/O.

pub mod coverage;
pub mod department;
pub mod employee;
pub mod handover;
pub mod hr_effect;
pub mod hr_event;
pub mod import;
pub mod project;
pub mod team;
pub mod transition;

use chrono::{DateTime, Utc};

/// A stored value with its version (its `ETag`) and when it was made and last changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned<T> {
    pub value: T,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
