//! `/v1/hr/events`: the signed HR webhook, and the stored events for managers (the
//! unmatched ones to replay once HR has fixed the mapping).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use continuity_shared::auth::{Caller, Role};
use continuity_shared::clock::Clock;
use continuity_shared::db::Db;
use continuity_shared::http::body::{
    check_declared_length, parse_json, read_body, require_content_type,
};
use continuity_shared::http::docs::Problem;
use continuity_shared::pagination::{Page, PageQuery};
use continuity_shared::{ApiError, ApiResult, audit::Actor};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::hr_signature::{HrWebhookKeys, verify_request};
use crate::domain::hr_event::{HrEvent, HrEventStatus, StoredHrEvent};
use crate::service::hr_events;

/// The largest delivery accepted; a larger one is 413 before its signature is checked.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Who reads and replays HR events (they carry personal data).
const HR_READERS: &[Role] = &[Role::Manager];

/// The body before its type is known.
#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    event_type: String,
    data: serde_json::Value,
}

/// An HR event as staffing keeps it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HrEventResponse {
    /// Staffing's id (UUID v7).
    pub id: String,
    /// The sender's `webhook-id`.
    pub webhook_id: String,
    /// `employee.resigned`, `employee.resignation_rescinded`, `employee.hired`,
    /// `employee.transferred` or `employee.terminated`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// As the HR system sent it.
    pub data: serde_json::Value,
    pub received_at: DateTime<Utc>,
    pub status: HrEventStatus,
    /// Why an unmatched event could not be applied; for an enriching one, why the last
    /// attempt failed.
    pub problem: Option<String>,
    pub applied_at: Option<DateTime<Utc>>,
    /// Failed attempts to enrich it through the HR source's API.
    pub attempts: u32,
    /// When an `enriching` event is tried next.
    pub next_attempt_at: Option<DateTime<Utc>>,
}

impl From<StoredHrEvent> for HrEventResponse {
    fn from(e: StoredHrEvent) -> Self {
        Self {
            id: e.id,
            webhook_id: e.webhook_id,
            event_type: e.event_type,
            data: e.data,
            received_at: e.received_at,
            status: e.status,
            problem: e.problem,
            applied_at: e.applied_at,
            attempts: e.attempts,
            next_attempt_at: e.next_attempt_at,
        }
    }
}

/// Receive an event from the HR system, signed per Standard Webhooks: `webhook-id`,
/// `webhook-timestamp` (Unix seconds, within 300 s of now either way) and
/// `webhook-signature` (`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` with any
/// configured secret; several space-separated signatures allowed). No bearer token.
/// The event is stored and applied before the answer (202). An event that names an
/// employee or department staffing does not know is stored as `unmatched` (still 202)
/// for a replay. The same `webhook-id` again answers 200 with the stored event and does
/// nothing. Bodies over 64 KiB are 413.
#[utoipa::path(
    tag = "hr",
    security(()),
    params(
        ("webhook-id" = String, Header, description = "Unique per delivery; a repeat is a no-op"),
        ("webhook-timestamp" = i64, Header, description = "Unix seconds when sent"),
        ("webhook-signature" = String, Header, description = "`v1,<base64 signature>`, space-separated if several"),
    ),
    request_body(content = HrEvent, content_type = "application/json"),
    responses(
        (status = 202, description = "Stored and applied, or stored as unmatched", body = HrEventResponse),
        (status = 200, description = "A webhook-id seen before: nothing done again", body = HrEventResponse),
        (status = 400, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Signature missing, invalid or outside the 300 s tolerance", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 64 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown type or invalid field; nothing stored", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/hr/events")]
pub async fn receive_hr_event(
    req: HttpRequest,
    db: web::Data<Db>,
    clock: web::Data<Clock>,
    rules: web::Data<crate::settings::Rules>,
    keys: web::Data<HrWebhookKeys>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    check_declared_length(&req, MAX_BODY_BYTES)?;
    let body = read_body(payload.into_inner(), MAX_BODY_BYTES).await?;
    let webhook_id = verify_request(&req, &body, &keys, clock.now())?;
    require_content_type(&req, |m| m == "application/json", "application/json")?;
    let Envelope { event_type, data } = parse_json(&body)?;
    let event = HrEvent::parse(&event_type, &data).map_err(ApiError::validation)?;
    let received = hr_events::receive(&db, webhook_id, event, data, clock.now(), **rules).await?;
    let mut answer = if received.fresh {
        HttpResponse::Accepted()
    } else {
        HttpResponse::Ok()
    };
    Ok(answer.json(HrEventResponse::from(received.event)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HrEventQuery {
    /// Only events of this status: `applied`, `unmatched` or `enriching`.
    #[param(value_type = Option<HrEventStatus>)]
    pub status: Option<String>,
}

impl HrEventQuery {
    fn status(&self) -> ApiResult<Option<HrEventStatus>> {
        self.status
            .as_deref()
            .map(|raw| {
                HrEventStatus::parse(raw).ok_or_else(|| {
                    ApiError::invalid_field(
                        "status",
                        continuity_shared::text!(
                            "must be applied, unmatched or enriching",
                            "须为 applied、unmatched 或 enriching"
                        ),
                    )
                })
            })
            .transpose()
    }
}

/// The HR events received, oldest first; `?status=unmatched` lists those waiting for
/// HR to fix the mapping, `?status=enriching` those waiting for an HR source's API (with
/// their failed `attempts`, the last failure as `problem`, and `next_attempt_at`).
#[utoipa::path(
    tag = "hr",
    params(HrEventQuery, PageQuery),
    responses((status = 200, body = Page<HrEventResponse>))
)]
#[get("/v1/hr/events")]
pub async fn list_hr_events(
    caller: Caller,
    db: web::Data<Db>,
    query: web::Query<HrEventQuery>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(HR_READERS)?;
    let status = query.status()?;
    let page = page.parse()?;
    let rows = hr_events::list(&db, status, page.clone()).await?;
    let page = Page::from_rows(rows, &page, |e| e.id.clone(), HrEventResponse::from);
    Ok(HttpResponse::Ok().json(page))
}

/// One HR event.
#[utoipa::path(
    tag = "hr",
    params(("id" = String, Path, description = "Staffing's id of the event")),
    responses(
        (status = 200, body = HrEventResponse),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/hr/events/{id}")]
pub async fn get_hr_event(
    caller: Caller,
    db: web::Data<Db>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require(HR_READERS)?;
    let event = hr_events::get(&db, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(HrEventResponse::from(event)))
}

/// Apply an unmatched event again, once HR has fixed what it named (created the
/// department, sent the hire). The answer shows its new status: `applied`, or still
/// `unmatched` with the reason. An HR source's event whose enrichment was given up goes
/// back to `enriching`, tried again at once. Changes are audited with the event as their
/// cause.
#[utoipa::path(
    tag = "hr",
    params(("id" = String, Path, description = "Staffing's id of the event")),
    responses(
        (status = 200, body = HrEventResponse),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The event was already applied", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/hr/events/{id}/replay")]
pub async fn replay_hr_event(
    caller: Caller,
    db: web::Data<Db>,
    clock: web::Data<Clock>,
    rules: web::Data<crate::settings::Rules>,
    callbacks: web::Data<crate::hr_sources::Callbacks>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require(HR_READERS)?;
    let actor = Actor::caller(&caller);
    let event = hr_events::replay(&db, id.into_inner(), actor, clock.now(), **rules).await?;
    if event.status == HrEventStatus::Enriching {
        callbacks.wake.wake();
    }
    Ok(HttpResponse::Ok().json(HrEventResponse::from(event)))
}
