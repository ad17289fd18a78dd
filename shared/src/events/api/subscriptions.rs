//! `GET /v1/events/subscriptions`: the event types this service takes, as its definition
//! declares them; producers read it to route.

use actix_web::{HttpResponse, get, web};
use continuity_contract::{EventType, Role, ServiceName};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::docs::Problem;

/// What a service takes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Declaration {
    #[schema(value_type = String)]
    pub service: ServiceName,
    pub event_types: Vec<EventType>,
}

/// The event types this service takes. Producers deliver these (and only these, once
/// they have read this) to `POST /v1/events`.
#[utoipa::path(
    tag = "events",
    responses(
        (status = 200, body = Declaration),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/events/subscriptions")]
pub async fn subscriptions(
    caller: Caller,
    declaration: web::Data<Declaration>,
) -> ApiResult<HttpResponse> {
    caller.require(&[Role::Service, Role::Integration])?;
    Ok(HttpResponse::Ok().json(declaration.get_ref()))
}
