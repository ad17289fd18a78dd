//! `POST /v1/events`: receiving events from the other services.

use actix_web::{HttpRequest, HttpResponse, post, web};
use continuity_contract::Role;

use crate::auth::Caller;
use crate::clock::Clock;
use crate::db::Db;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::events::envelope::CloudEvent;
use crate::events::inbox::{self, EventSink, Incoming, Outcome, ReceiveReport};
use crate::http::body::{body_limit, parse_json, read_body, require_content_type};
use crate::http::docs::Problem;

/// This service's database incarnation, read at start-up.
pub struct Incarnation(pub String);

const SINGLE: &str = "application/cloudevents+json";

/// Receive events from another service of the suite (`service` tokens only). A batch
/// (`application/cloudevents-batch+json`, a JSON array) is answered event by event: each
/// is applied once per source (`applied`), stored unused when this service does not take
/// its type (`ignored`), recognised as a repeat (`duplicate`), refused with a problem
/// (`rejected`: an envelope or payload that does not fit, or a source that is not the
/// type's producer), or `held` behind an earlier refused event of its subject. Only the
/// refused and held ones need sending again. A single event (a JSON object,
/// `application/cloudevents+json`) that is refused is a 422. The answer comes only after the batch is committed.
#[utoipa::path(
    tag = "events",
    request_body(content = Vec<CloudEvent>, content_type = "application/cloudevents-batch+json",
        description = "A JSON array of CloudEvents, or one event as application/cloudevents+json"),
    responses(
        (status = 200, description = "Each event's outcome", body = ReceiveReport),
        (status = 422, description = "A single event was refused", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/events")]
pub async fn receive_events(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    clock: web::Data<Clock>,
    sink: web::Data<EventSink>,
    incarnation: web::Data<Incarnation>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    // Events change copies of other services' data: only the suite's own services may
    // send them, not even an admin.
    caller.require_exactly(Role::Service)?;
    require_content_type(
        &req,
        |m| {
            matches!(
                m,
                "application/json" | SINGLE | "application/cloudevents-batch+json"
            )
        },
        "application/cloudevents+json or application/cloudevents-batch+json",
    )?;
    // Batches are larger than ordinary requests: allow 16 times the body limit.
    let bytes = read_body(payload.into_inner(), body_limit(&req).saturating_mul(16)).await?;
    // One event (an object) is answered as one: 200, or 422 when refused; an array is
    // answered event by event.
    let (single, raw) = match parse_json::<serde_json::Value>(&bytes)? {
        serde_json::Value::Array(items) => (false, items),
        one => (true, vec![one]),
    };
    let events: Vec<Incoming> = raw.into_iter().map(parse_event).collect();
    let (sink, now) = (sink.into_inner(), clock.now().naive_utc());
    let mut report: ReceiveReport = db
        .write(move |c| inbox::receive(c, &events, &sink, now))
        .await?;
    if single
        && let Some(refused) = report
            .results
            .first()
            .filter(|r| r.outcome == Outcome::Rejected)
    {
        let problem = refused.problem.clone();
        let errors = problem
            .map(|p| p.errors)
            .unwrap_or_default()
            .into_iter()
            .map(|f| {
                FieldError::new(
                    f.field,
                    crate::i18n::Text::new(f.message.clone(), f.message),
                )
            })
            .collect();
        return Err(ApiError::validation(errors));
    }
    report.incarnation = incarnation.0.clone();
    Ok(HttpResponse::Ok().json(report))
}

/// One element of a batch as an event, or the problem with it (naming `data.<field>`).
fn parse_event(raw: serde_json::Value) -> Incoming {
    let event: CloudEvent = serde_path_to_error::deserialize(&raw).map_err(|e| {
        let field = e.path().to_string();
        let msg = e.into_inner().to_string();
        ApiError::validation(vec![FieldError::new(
            field,
            crate::i18n::Text::new(msg.clone(), msg),
        )])
    })?;
    event.validate()?;
    Ok(event)
}
