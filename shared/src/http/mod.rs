//! HTTP plumbing shared by every service: request bodies, problem rendering, routing
//! fallbacks, request ids and logs, metrics, health and the OpenAPI document.

pub mod body;
pub mod docs;
pub mod drain;
pub mod health;
pub mod metrics;
pub mod problem;
pub mod request_id;

pub use body::{Json, read_body};
