//! Scheduling's rows and queries: the only place it touches diesel.

mod bind;
pub mod risk;
pub mod schema;
pub mod spells;
