//! `POST /v1/events/replay`: a roster snapshot for a subscriber that starts empty.

use actix_web::{HttpResponse, post, web};
use continuity_contract::ServiceName;
use continuity_shared::auth::{Caller, Role};
use continuity_shared::clock::Clock;
use continuity_shared::db::Db;
use continuity_shared::http::Json;
use continuity_shared::http::docs::Problem;
use continuity_shared::{ApiError, ApiResult, text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::replay_lock::RunningReplays;
use crate::service::events;
use crate::startup::Peers;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayRequest {
    /// The service to catch up: one that staffing delivers to (`training-record`, ...).
    #[schema(value_type = String)]
    pub subscriber: ServiceName,
    /// Only if needed: when `incarnation` is a new database of a subscriber that staffing
    /// had delivered to under another (so its data was lost). Default false.
    #[serde(default)]
    pub if_needed: bool,
    /// The subscriber's database incarnation, as its `POST /v1/events` answers name it.
    pub incarnation: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReplayResponse {
    /// Snapshot events queued for the subscriber.
    pub queued: usize,
}

/// Queue every department and employee as `*.upserted` events for one subscriber, after
/// what is already queued for it. A service whose inbox has never heard from staffing asks
/// for this at start-up; an admin may ask for it after restoring a service's database.
/// One replay runs at a time per subscriber: another one meanwhile is 409.
#[utoipa::path(
    tag = "events",
    request_body = ReplayRequest,
    responses(
        (status = 202, body = ReplayResponse),
        (status = 409, description = "A replay for this subscriber is already running", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/events/replay")]
pub async fn replay(
    caller: Caller,
    db: web::Data<Db>,
    clock: web::Data<Clock>,
    peers: web::Data<Peers>,
    running: web::Data<RunningReplays>,
    body: Json<ReplayRequest>,
) -> ApiResult<HttpResponse> {
    caller.require(&[Role::Service])?;
    let Json(ReplayRequest {
        subscriber,
        if_needed,
        incarnation,
    }) = body;
    let guard = running.start(subscriber.as_str()).ok_or_else(|| {
        ApiError::conflict(text!(
            "A snapshot replay for `{subscriber}` is already running; ask again once it has answered.",
            "`{subscriber}` 的快照重放正在进行；请在其完成后再请求。"
        ))
    })?;
    let only_for = if_needed.then(|| incarnation.unwrap_or_default());
    let (peers, now) = (peers.0.clone(), clock.now());
    let queued = db
        .write(move |c| {
            // Held until the work itself ends, even if the caller hangs up meanwhile.
            let _running = guard;
            events::snapshot_for(c, &subscriber, &peers, only_for.as_deref(), now)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(ReplayResponse { queued }))
}
