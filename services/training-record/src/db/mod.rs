//! Training-record's tables, rows and queries.

pub mod attendance;
pub mod catchup_context;
pub mod curriculum_generations;
pub mod materials;
pub mod plans;
pub mod progress;
pub mod records;
pub mod schema;
pub mod sessions;
pub mod uploads;
