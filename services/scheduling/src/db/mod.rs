//! Scheduling's rows and queries: the only place it touches diesel.

pub mod schema;
pub mod spells;
