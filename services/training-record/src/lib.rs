//! Training sessions, their recordings, attendance, viewing progress and each person's catch-up plan.

pub mod api;
pub mod events;
pub mod startup;

pub use startup::SERVICE;
