//! Process-change's use cases: each owns its transaction, and publishes its events and
//! writes its audit entries in it.

pub mod acknowledgments;
pub mod changes;
pub mod errors;
pub mod handovers;
pub mod notices;
pub mod overdue;

pub use errors::{PcError, PcResult};

/// The `source` of every event process-change publishes.
pub const SOURCE: &str = "process-change";
