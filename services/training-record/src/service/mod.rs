//! Training-record's use cases: each owns its transaction, audits and publishes in it.

pub mod attendance;
pub mod audience;
pub mod catchup;
pub mod coverage;
pub mod curriculum;
pub mod errors;
pub mod handovers;
pub mod materials;
pub mod progress;
pub mod sessions;
pub mod storage;
pub mod uploads;

pub use errors::{TrainingError, TrainingResult};

/// The `source` of every event training-record publishes.
pub const SOURCE: &str = "training-record";
