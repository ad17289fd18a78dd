//! `POST /v1/events`: receiving events from the other services.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;

use crate::auth::{Caller, Role};
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::events::envelope::CloudEvent;
use crate::events::inbox::{self, EventSink, ReceiveReport};
use crate::http::body::{body_limit, parse_json, read_body, require_content_type};
use crate::http::docs::Problem;

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
    let sink = sink.into_inner();
    let mut report = db.write(move |c| inbox::receive(c, &events, &sink)).await?;
    report.incarnation = incarnation.0.clone();
    Ok(HttpResponse::Ok().json(report))
}
