//! The event endpoints every service serves: receiving events, the admin view of the
//! outbox, and webhook subscriptions with their delivery log.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::envelope::CloudEvent;
use super::inbox::{self, EventSink, ReceiveReport};
use super::{outbox, ssrf, webhooks};
use crate::auth::{Caller, Role};
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::body::{body_limit, parse_json, read_body, require_content_type};
use crate::http::docs::Problem;
use crate::idempotency::{self, Created, IdempotencyKey};
use crate::pagination::{Page, PageQuery};
use crate::settings::Settings;
use crate::{clock, text};

/// This service's database incarnation, read at start-up.
pub struct Incarnation(pub String);

/// One event, or a batch (`application/cloudevents-batch+json`, a JSON array).
#[derive(Deserialize)]
#[serde(untagged)]
enum Incoming {
    Batch(Vec<CloudEvent>),
    One(Box<CloudEvent>),
}

/// Receive events from another service of the suite. Each event id is applied once per
/// source; a repeat is acknowledged and changes nothing; an event of a type this service
/// does not use is stored and acknowledged. The answer comes only after the events are
/// committed.
#[utoipa::path(
    tag = "events",
    request_body(content = Vec<CloudEvent>, content_type = "application/cloudevents-batch+json",
        description = "A JSON array of CloudEvents, or one event as application/cloudevents+json"),
    responses(
        (status = 200, description = "Stored (and applied where this service uses the type)", body = ReceiveReport),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/events")]
pub async fn receive_events(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    sink: web::Data<EventSink>,
    incarnation: web::Data<Incarnation>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    caller.require(&[Role::Service])?;
    require_content_type(
        &req,
        |m| {
            matches!(
                m,
                "application/json"
                    | "application/cloudevents+json"
                    | "application/cloudevents-batch+json"
            )
        },
        "application/cloudevents+json or application/cloudevents-batch+json",
    )?;
    // Batches are larger than ordinary requests: allow 16 times the body limit.
    let bytes = read_body(payload.into_inner(), body_limit(&req).saturating_mul(16)).await?;
    let events = match parse_json::<Incoming>(&bytes)? {
        Incoming::Batch(v) => v,
        Incoming::One(e) => vec![*e],
    };
    for (i, e) in events.iter().enumerate() {
        e.validate().map_err(|err| {
            let fields = err
                .field_errors()
                .iter()
                .map(|f| crate::FieldError::new(format!("[{i}].{}", f.field), f.message.clone()))
                .collect();
            ApiError::validation(fields)
        })?;
    }
    let sink = **sink;
    let mut report = db.write(move |c| inbox::receive(c, &events, sink)).await?;
    report.incarnation = incarnation.0.clone();
    Ok(HttpResponse::Ok().json(report))
}

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
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require(&[])?;
    let id = id.into_inner();
    let now = clock::now().naive_utc();
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSubscriptionRequest {
    /// `https://...` (or `http://`); must resolve to a public address.
    pub url: String,
    /// Event types to receive, or `["*"]` for all.
    pub event_types: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SubscriptionResponse {
    pub id: String,
    pub url: String,
    pub event_types: Vec<String>,
    pub created_at: DateTime<Utc>,
    /// The signing secret: shown once, in the answer that creates the subscription.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl SubscriptionResponse {
    fn from_row(r: &webhooks::SubscriptionRow, with_secret: bool) -> Self {
        Self {
            id: r.id.clone(),
            url: r.url.clone(),
            event_types: r.event_types(),
            created_at: clock::utc(r.created_at),
            secret: with_secret.then(|| r.secret.clone()),
        }
    }
}

const HOOK_ROLES: &[Role] = &[Role::Integration];

async fn check_url(raw: &str, allow_private: bool) -> ApiResult<()> {
    let bad =
        |en: String, zh: String| ApiError::invalid_field("url", crate::i18n::Text::new(en, zh));
    let url = reqwest::Url::parse(raw)
        .map_err(|e| bad(format!("is not a URL: {e}"), format!("不是有效的 URL：{e}")))?;
    if !matches!(url.scheme(), "http" | "https") || raw.len() > 2000 {
        return Err(bad(
            "must be an http or https URL".into(),
            "须为 http 或 https URL".into(),
        ));
    }
    let host = url
        .host_str()
        .ok_or_else(|| bad("must name a host".into(), "须包含主机名".into()))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = url.port_or_known_default().unwrap_or(443);
    ssrf::check_host(host, port, allow_private)
        .await
        .map_err(|e| bad(format!("is refused: {e}"), format!("被拒绝：{e}")))
}

/// Subscribe a URL to events of this service. Deliveries are signed per Standard
/// Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with the secret in
/// this answer, which is never shown again.
#[utoipa::path(
    tag = "webhooks",
    request_body = CreateSubscriptionRequest,
    responses(
        (status = 201, body = SubscriptionResponse),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/webhook-subscriptions")]
pub async fn create_subscription(
    caller: Caller,
    db: web::Data<Db>,
    settings: web::Data<Settings>,
    key: IdempotencyKey,
    body: web::Bytes,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    caller.require(HOOK_ROLES)?;
    require_content_type(&req, |m| m == "application/json", "application/json")?;
    let input: CreateSubscriptionRequest = parse_json(&body)?;
    if input.event_types.is_empty()
        || input
            .event_types
            .iter()
            .any(|t| t.is_empty() || t.len() > 100)
    {
        return Err(ApiError::invalid_field(
            "event_types",
            text!(
                "must list at least one event type, or \"*\"",
                "须至少列出一种事件类型，或 \"*\""
            ),
        ));
    }
    check_url(&input.url, settings.events.allow_private_webhook_targets).await?;
    let writer = db.clone();
    idempotency::once(
        &db,
        &caller,
        key,
        "webhook-subscriptions.create",
        &body,
        || async move {
            let row = webhooks::SubscriptionRow {
                id: crate::ids::new_id().to_string(),
                url: input.url,
                event_types: serde_json::to_string(&input.event_types)
                    .map_err(ApiError::internal)?,
                secret: webhooks::new_secret(),
                active: true,
                created_at: clock::now().naive_utc(),
            };
            let stored = row.clone();
            writer.write(move |c| webhooks::insert(c, &stored)).await?;
            let body = serde_json::to_value(SubscriptionResponse::from_row(&row, true))
                .map_err(ApiError::internal)?;
            Ok(Created {
                status: StatusCode::CREATED,
                body,
            })
        },
    )
    .await
}

/// Active webhook subscriptions (without their secrets).
#[utoipa::path(tag = "webhooks", params(PageQuery), responses((status = 200, body = Page<SubscriptionResponse>)))]
#[get("/v1/webhook-subscriptions")]
pub async fn list_subscriptions(
    caller: Caller,
    db: web::Data<Db>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(HOOK_ROLES)?;
    let page = page.parse()?;
    let (after, fetch) = (page.after.clone(), page.fetch());
    let rows = db
        .read(move |c| webhooks::list_active(c, after.as_deref(), fetch))
        .await?;
    let out = Page::from_rows(
        rows,
        &page,
        |r| r.id.clone(),
        |r| SubscriptionResponse::from_row(&r, false),
    );
    Ok(HttpResponse::Ok().json(out))
}

fn no_subscription(id: &str) -> ApiError {
    ApiError::not_found(text!(
        "Webhook subscription `{id}` does not exist.",
        "Webhook 订阅 `{id}` 不存在。"
    ))
}

async fn active_subscription(db: &Db, id: String) -> ApiResult<webhooks::SubscriptionRow> {
    let shown = id.clone();
    db.read(move |c| webhooks::find(c, &id))
        .await?
        .filter(|s| s.active)
        .ok_or_else(|| no_subscription(&shown))
}

/// One webhook subscription (without its secret).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path)),
    responses((status = 200, body = SubscriptionResponse), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/v1/webhook-subscriptions/{id}")]
pub async fn get_subscription(
    caller: Caller,
    db: web::Data<Db>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require(HOOK_ROLES)?;
    let row = active_subscription(&db, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(SubscriptionResponse::from_row(&row, false)))
}

/// Stop a subscription; what it had not yet received is cancelled.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path)),
    responses((status = 204, description = "Deleted"), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[delete("/v1/webhook-subscriptions/{id}")]
pub async fn delete_subscription(
    caller: Caller,
    db: web::Data<Db>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require(HOOK_ROLES)?;
    let id = id.into_inner();
    let shown = id.clone();
    let found = db
        .write(move |c| {
            let found = webhooks::deactivate(c, &id)?;
            if found {
                outbox::cancel_pending(c, &outbox::webhook_subscriber(&id))?;
            }
            Ok(found)
        })
        .await?;
    if found {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(no_subscription(&shown))
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AttemptResponse {
    pub id: String,
    pub event_id: String,
    pub event_type: String,
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status, when it answered.
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// Delivery attempts to one subscription and how the receiver answered, newest first.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path), PageQuery),
    responses((status = 200, body = Page<AttemptResponse>), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/v1/webhook-subscriptions/{id}/deliveries")]
pub async fn list_attempts(
    caller: Caller,
    db: web::Data<Db>,
    id: web::Path<String>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(HOOK_ROLES)?;
    let page = page.parse()?;
    let sub = active_subscription(&db, id.into_inner()).await?;
    let (before, fetch) = (page.after.clone(), page.fetch());
    let rows = db
        .read(move |c| webhooks::attempts(c, &sub.id, before.as_deref(), fetch))
        .await?;
    let out = Page::from_rows(
        rows,
        &page,
        |r| r.id.clone(),
        |r| AttemptResponse {
            id: r.id,
            event_id: r.event_id,
            event_type: r.event_type,
            attempted_at: clock::utc(r.attempted_at),
            status_code: r.status_code,
            error: r.error,
            duration_ms: r.duration_ms,
        },
    );
    Ok(HttpResponse::Ok().json(out))
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
}

/// Events received per source.
#[utoipa::path(tag = "events", responses((status = 200, body = Vec<InboxStats>)))]
#[get("/v1/admin/inbox/stats")]
pub async fn inbox_stats(caller: Caller, db: web::Data<Db>) -> ApiResult<HttpResponse> {
    caller.require(&[])?;
    let rows = db.read(inbox::stats).await?;
    let mut out: Vec<InboxStats> = Vec::new();
    for (source, applied, n) in rows {
        if out.last().is_none_or(|s| s.source != source) {
            out.push(InboxStats {
                source,
                ..Default::default()
            });
        }
        if let Some(s) = out.last_mut() {
            s.received += n;
            if applied {
                s.applied += n;
            }
        }
    }
    Ok(HttpResponse::Ok().json(out))
}

/// Registers the event endpoints.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(receive_events)
        .service(outbox_stats)
        .service(inbox_stats)
        .service(list_outbox)
        .service(retry_outbox)
        .service(create_subscription)
        .service(list_subscriptions)
        .service(get_subscription)
        .service(delete_subscription)
        .service(list_attempts);
}
