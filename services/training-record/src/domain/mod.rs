//! Training-record's domain types and rules, free of I/O.

pub mod catchup;
pub mod coverage;
pub mod curriculum;
pub mod delivery;
pub mod ids;
pub mod material;
pub mod mp4;
pub mod playback;
pub mod progress;
pub mod session;
pub mod upload;
pub mod webm;

use chrono::{DateTime, Utc};

/// A stored value with its version (its `ETag`) and when it was made and last changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned<T> {
    pub value: T,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
