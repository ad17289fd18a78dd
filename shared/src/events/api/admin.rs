//! The admin view of the outbox and inbox: what waits, what is dead, requeueing.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::clock::{self, Clock};
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::events::inbox;
use crate::events::outbox;
use crate::events::peers;
use crate::http::docs::Problem;
use crate::pagination::{Page, PageQuery};
use crate::text;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// `pending` (default) or `dead`.
    pub status: Option<String>,
    /// Only deliveries to this subscriber (`process-change`, `webhook:<id>`).
    pub subscriber: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OutboxItem {
    pub event_id: String,
    pub event_type: String,
    pub subject: String,
    pub subscriber: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Deliveries still waiting, or parked as dead after too many attempts.
#[utoipa::path(
    tag = "events",
    params(OutboxQuery, PageQuery),
    responses((status = 200, body = Page<OutboxItem>))
)]
#[get("/v1/admin/outbox")]
pub async fn list_outbox(
    caller: Caller,
    db: web::Data<Db>,
    query: web::Query<OutboxQuery>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(&[])?;
    let status = match query.status.as_deref().unwrap_or("pending") {
        s @ ("pending" | "dead") => s.to_owned(),
        _ => {
            return Err(ApiError::invalid_field(
                "status",
                text!("must be pending or dead", "须为 pending 或 dead"),
            ));
        }
    };
    let page = page.parse()?;
    let after = match &page.after {
        None => None,
        Some(key) => Some(
            key.split_once('|')
                .and_then(|(seq, sub)| Some((seq.parse::<i64>().ok()?, sub.to_owned())))
                .ok_or_else(|| ApiError::invalid_field("cursor", text!("is not valid", "无效")))?,
        ),
    };
    let subscriber = query.subscriber.clone();
    let fetch = page.fetch();
    let rows = db
        .read(move |c| outbox::list(c, &status, subscriber.as_deref(), after, fetch))
        .await?;
    let out = Page::from_rows(
        rows,
        &page,
        |r| format!("{}|{}", r.event_seq, r.subscriber),
        |r| OutboxItem {
            event_id: r.event_id,
            event_type: r.event_type,
            subject: r.subject,
            subscriber: r.subscriber,
            status: r.status,
            attempts: r.attempts,
            next_attempt_at: clock::utc(r.next_attempt_at),
            last_status: r.last_status,
            last_error: r.last_error,
            created_at: clock::utc(r.created_at),
        },
    );
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RetryResponse {
    /// Dead deliveries of the event made pending again.
    pub requeued: usize,
}

/// Deliver an event's dead deliveries again, from a fresh attempt count.
#[utoipa::path(
    tag = "events",
    params(("event_id" = String, Path, description = "The event's id")),
    responses(
        (status = 202, body = RetryResponse),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/admin/outbox/{event_id}/retry")]
pub async fn retry_outbox(
    caller: Caller,
    db: web::Data<Db>,
    clock: web::Data<Clock>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require(&[])?;
    let id = id.into_inner();
    let now = clock.now().naive_utc();
    let shown = id.clone();
    let n = db
        .write(move |c| outbox::retry_dead(c, &id, now))
        .await?
        .ok_or_else(|| {
            ApiError::not_found(text!(
                "Event `{shown}` is not in the outbox.",
                "发件箱中没有事件 `{shown}`。"
            ))
        })?;
    Ok(HttpResponse::Accepted().json(RetryResponse { requeued: n }))
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct OutboxStats {
    pub subscriber: String,
    pub pending: i64,
    pub delivered: i64,
    pub dead: i64,
    pub cancelled: i64,
}

/// Deliveries per subscriber and status.
#[utoipa::path(tag = "events", responses((status = 200, body = Vec<OutboxStats>)))]
#[get("/v1/admin/outbox/stats")]
pub async fn outbox_stats(caller: Caller, db: web::Data<Db>) -> ApiResult<HttpResponse> {
    caller.require(&[])?;
    let rows = db.read(outbox::stats).await?;
    let mut out: Vec<OutboxStats> = Vec::new();
    for (subscriber, status, n) in rows {
        if out.last().is_none_or(|s| s.subscriber != subscriber) {
            out.push(OutboxStats {
                subscriber,
                ..Default::default()
            });
        }
        if let Some(s) = out.last_mut() {
            match status.as_str() {
                outbox::PENDING => s.pending = n,
                outbox::DELIVERED => s.delivered = n,
                outbox::DEAD => s.dead = n,
                _ => s.cancelled = n,
            }
        }
    }
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct InboxStats {
    pub source: String,
    /// Distinct events received from the source.
    pub received: i64,
    /// Of which applied to this service's data (the rest are types it does not use).
    pub applied: i64,
    /// Distinct events received from the source, per event type.
    pub by_type: std::collections::BTreeMap<String, i64>,
}

/// Events received per source.
#[utoipa::path(tag = "events", responses((status = 200, body = Vec<InboxStats>)))]
#[get("/v1/admin/inbox/stats")]
pub async fn inbox_stats(caller: Caller, db: web::Data<Db>) -> ApiResult<HttpResponse> {
    caller.require(&[])?;
    let rows = db.read(inbox::stats).await?;
    let mut out: Vec<InboxStats> = Vec::new();
    for (source, event_type, applied, n) in rows {
        if out.last().is_none_or(|s| s.source != source) {
            out.push(InboxStats {
                source,
                ..Default::default()
            });
        }
        if let Some(s) = out.last_mut() {
            s.received += n;
            *s.by_type.entry(event_type).or_default() += n;
            if applied {
                s.applied += n;
            }
        }
    }
    Ok(HttpResponse::Ok().json(out))
}

/// A peer service this one delivers to, and what it declared it takes.
#[derive(Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct PeerView {
    pub peer: String,
    /// The types it declared; null until it has answered, and meanwhile it gets every
    /// event, so nothing is lost while it is down.
    pub event_types: Option<Vec<String>>,
    pub declared_at: Option<DateTime<Utc>>,
}

/// The configured peers and their last declarations, as the outbox routes by them.
#[utoipa::path(tag = "events", responses(
    (status = 200, body = Vec<PeerView>),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/admin/peers")]
pub async fn list_peers(caller: Caller, db: web::Data<Db>) -> ApiResult<HttpResponse> {
    caller.require(&[])?;
    let rows = db.read(peers::declarations).await?;
    let out: Vec<PeerView> = rows
        .into_iter()
        .map(|(peer, event_types, declared_at)| PeerView {
            peer,
            event_types,
            declared_at: declared_at.map(clock::utc),
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}
