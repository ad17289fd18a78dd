//! Business-process changes, liaison notices to departments and person-by-person acknowledgments.

pub mod api;
pub mod events;
pub mod startup;

pub use startup::SERVICE;
