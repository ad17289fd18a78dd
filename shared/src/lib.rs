//! The platform the Continuity services plug into: what every service needs and nothing
//! that is one service's business, and no service's name. Settings, database, errors,
//! authentication, HTTP plumbing (problem+json, request ids, metrics, health, OpenAPI),
//! pagination, ETags and idempotency, the clock and the scheduler, the audit trail, the
//! event flow between services (outbox, inbox, dispatcher, webhooks), the roster copy,
//! and the launcher that runs one or several services. A service plugs in through
//! [`service::ServiceDef`]. The event payloads themselves are the `continuity-contract`
//! crate.

pub mod audit;
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
pub mod scheduler;
pub mod server;
pub mod service;
pub mod settings;
pub mod telemetry;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;
pub mod timestamps;

pub use error::{ApiError, ApiResult, FieldError};
