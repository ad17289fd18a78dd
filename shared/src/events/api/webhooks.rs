//! `/v1/webhook-subscriptions`: the CRM's webhooks and their delivery log.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use continuity_contract::EventType;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Caller, Role};
use crate::clock::{self, Clock};
use crate::db::Db;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::events::{outbox, ssrf, webhooks};
use crate::http::body::{parse_json, require_content_type};
use crate::http::docs::Problem;
use crate::idempotency::{self, Created, IdempotencyKey};
use crate::pagination::{Page, PageQuery};
use crate::settings::Settings;
use crate::text;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSubscriptionRequest {
    /// `https://...` (or `http://`); must resolve to a public address.
    pub url: String,
    /// Event types to receive (names of the contract's types, e.g. `employee.upserted`),
    /// or `["*"]` for all; an unknown name is 422.
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

/// More than there are types, with room for repeats; it also bounds the answer, which names
/// every unknown entry.
const MAX_EVENT_TYPES: usize = 64;

/// At least one type, each `*` or a type of the contract; every unknown one is named with
/// its index, and the message lists the valid types (a typo would otherwise subscribe to
/// nothing, silently).
fn check_event_types(types: &[String]) -> ApiResult<()> {
    if types.is_empty() || types.len() > MAX_EVENT_TYPES {
        return Err(ApiError::invalid_field(
            "event_types",
            text!(
                "must list from one to {MAX_EVENT_TYPES} event types, or \"*\"",
                "须列出 1 至 {MAX_EVENT_TYPES} 种事件类型，或 \"*\""
            ),
        ));
    }
    let valid = EventType::NAMES.join(", ");
    let unknown: Vec<FieldError> = types
        .iter()
        .enumerate()
        .filter(|(_, t)| t.as_str() != "*" && EventType::parse(t).is_none())
        .map(|(i, _)| {
            FieldError::new(
                format!("event_types[{i}]"),
                text!(
                    "is not an event type; use \"*\" or one of: {valid}",
                    "不是有效的事件类型；请使用 \"*\" 或以下之一：{valid}"
                ),
            )
        })
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(unknown))
    }
}

/// Subscribe a URL to events of this service. Deliveries are signed per Standard
/// Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with the secret in
/// this answer, which is never shown again.
#[utoipa::path(
    tag = "webhooks",
    request_body = CreateSubscriptionRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, body = SubscriptionResponse),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/webhook-subscriptions")]
pub async fn create_subscription(
    caller: Caller,
    db: web::Data<Db>,
    clock: web::Data<Clock>,
    settings: web::Data<Settings>,
    key: IdempotencyKey,
    body: web::Bytes,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    caller.require(HOOK_ROLES)?;
    require_content_type(&req, |m| m == "application/json", "application/json")?;
    let input: CreateSubscriptionRequest = parse_json(&body)?;
    check_event_types(&input.event_types)?;
    check_url(&input.url, settings.events.allow_private_webhook_targets).await?;
    let row = webhooks::SubscriptionRow {
        id: crate::ids::new_id().to_string(),
        url: input.url,
        event_types: serde_json::to_string(&input.event_types).map_err(ApiError::internal)?,
        secret: webhooks::new_secret(),
        active: true,
        created_at: clock.now().naive_utc(),
    };
    let route = "webhook-subscriptions.create";
    idempotency::once(&db, &caller, key, route, &body, move |c| {
        webhooks::insert(c, &row)?;
        let body = serde_json::to_value(SubscriptionResponse::from_row(&row, true))
            .map_err(ApiError::internal)?;
        Ok(Created {
            status: StatusCode::CREATED,
            body,
        })
    })
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
            Ok::<_, ApiError>(found)
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
