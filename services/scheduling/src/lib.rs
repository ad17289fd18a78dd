//! Resignation seasonality from HR history and implementation windows that avoid the peaks.

pub mod api;
pub mod db;
pub mod domain;
pub mod events;
pub mod pictures;
pub mod service;
pub mod settings;
pub mod startup;

pub use startup::SERVICE;
