//! Process-change's domain types and rules, free of I/O.

pub mod acknowledgment;
pub mod change;
pub mod lifecycle;
pub mod notice;

use chrono::{DateTime, Utc};

/// A stored value with its version (its `ETag`) and when it was made and last changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned<T> {
    pub value: T,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
