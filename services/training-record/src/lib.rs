//! Training sessions, their recordings, attendance, viewing progress and each person's catch-up plan.

pub mod api;
pub mod db;
pub mod domain;
pub mod events;
pub mod service;
pub mod settings;
pub mod startup;

pub use startup::SERVICE;
