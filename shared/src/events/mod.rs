//! Reliable events between the services and out to webhooks: the CloudEvents envelope,
//! a transactional outbox with a dispatcher, an inbox that applies each event once, and
//! webhook subscriptions signed per Standard Webhooks.

pub mod api;
pub mod dispatcher;
pub mod envelope;
pub mod inbox;
pub mod incarnation;
pub mod metrics;
pub mod outbox;
pub mod payloads;
pub mod policy;
pub mod retention;
pub mod routing;
pub mod schema;
pub mod ssrf;
pub mod webhooks;

pub use envelope::{CloudEvent, EventData};
pub use inbox::{EventHandler, EventSink, ignore_events};

#[cfg(test)]
mod tests;
