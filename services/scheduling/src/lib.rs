//! Resignation seasonality from HR history and implementation windows that avoid the peaks.

pub mod api;
pub mod events;
pub mod startup;

pub use startup::SERVICE;
