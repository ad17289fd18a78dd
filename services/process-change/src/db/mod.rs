//! Process-change's rows and queries: the only place it touches diesel.

pub mod acknowledgments;
pub mod changes;
pub mod handovers;
pub mod notices;
pub mod schema;
