//! The outbox: events written in the producer's own transaction, one delivery row per
//! subscriber, claimed in order per subject and marked after each attempt.
//!
//! `publish` writes; `claim` is what the dispatcher leases and marks; `admin` is what
//! operators and metrics read and requeue.

mod admin;
mod claim;
mod publish;
mod routed;

pub use admin::*;
pub use claim::*;
pub use publish::*;
pub(crate) use routed::publish_routed;
pub use routed::{Cte, both};

pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const DEAD: &str = "dead";
pub const CANCELLED: &str = "cancelled";

/// The subscriber name of a webhook subscription.
pub fn webhook_subscriber(subscription_id: &str) -> String {
    format!("webhook:{subscription_id}")
}
