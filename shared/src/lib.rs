//! The common crate of the Continuity suite: what every service needs and nothing that is
//! one service's business. Settings, database, errors, authentication, HTTP plumbing
//! (problem+json, request ids, metrics, health, OpenAPI), pagination, ETags and
//! idempotency, and the launcher that runs one or all services.

pub mod auth;
pub mod clock;
pub mod credentials;
pub mod db;
pub mod error;
pub mod etag;
pub mod events;
pub mod http;
pub mod i18n;
pub mod idempotency;
pub mod ids;
pub mod launcher;
pub mod pagination;
pub mod roster;
pub mod server;
pub mod settings;
pub mod telemetry;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;

pub use error::{ApiError, ApiResult, FieldError};
