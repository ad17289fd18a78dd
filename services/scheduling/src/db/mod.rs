//! Scheduling's rows and queries: the only place it touches diesel.

pub mod risk;
pub mod schema;
pub mod spells;
