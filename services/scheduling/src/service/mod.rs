//! Scheduling's use cases: each owns its transaction, and writes its audit entries and
//! events in it.

pub mod errors;
pub mod history;
pub mod recommendations;
pub mod risk;
pub mod scoring;
pub mod seasonality;

pub use errors::{SchError, SchResult};

/// The `source` of every event scheduling publishes.
pub const SOURCE: &str = "scheduling";
