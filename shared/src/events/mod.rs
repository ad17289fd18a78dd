//! Reliable events between the services and out to webhooks: the CloudEvents envelope,
//! a transactional outbox with a dispatcher, an inbox that applies each event once, and
//! webhook subscriptions signed per Standard Webhooks.

pub mod api;
pub(crate) mod dispatcher;
pub mod envelope;
pub mod inbox;
pub mod incarnation;
pub(crate) mod metrics;
pub mod outbox;
pub(crate) mod peers;
pub(crate) mod policy;
pub(crate) mod retention;
pub(crate) mod schema;
pub(crate) mod ssrf;
pub(crate) mod webhooks;

pub use envelope::{CloudEvent, EventData};
pub use inbox::{EventHandler, EventSink};
/// Standard Webhooks signing, also for tools that sign what they send (the HR webhook).
pub use webhooks::sign;

#[cfg(test)]
mod routing_tests;
#[cfg(test)]
mod tests;
