//! The event endpoints every service serves: receiving events, the admin view of the
//! outbox and inbox, and webhook subscriptions with their delivery log.

mod admin;
mod receive;
mod subscriptions;
mod webhooks;

pub use admin::{InboxStats, OutboxItem, OutboxStats, PeerView, RetryResponse};
pub use receive::Incarnation;
pub use subscriptions::Declaration;
pub use webhooks::{AttemptResponse, CreateSubscriptionRequest, SubscriptionResponse};

use admin::*;
use receive::*;
use subscriptions::*;
use webhooks::*;

/// Registers the event endpoints.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(receive_events)
        .service(subscriptions)
        .service(outbox_stats)
        .service(inbox_stats)
        .service(list_outbox)
        .service(retry_outbox)
        .service(list_peers)
        .service(create_subscription)
        .service(list_subscriptions)
        .service(get_subscription)
        .service(delete_subscription)
        .service(list_attempts);
}
