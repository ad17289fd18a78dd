//! Process-change: business-process changes decided during an implementation, liaison
//! notices (联络单) to the departments they affect, and person-by-person acknowledgments,
//! so that nobody keeps working the old way after the key user leaves.

pub mod api;
pub mod db;
pub mod domain;
pub mod events;
pub mod service;
pub mod settings;
pub mod startup;

pub use startup::SERVICE;
