//! Liveness and readiness.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::Db;
use crate::error::ApiError;
use crate::text;

#[derive(Serialize, ToSchema)]
pub struct HealthResponse {
    /// `ok` when the check passes.
    pub status: &'static str,
}

/// The process is up and serving HTTP.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses((status = 200, body = HealthResponse))
)]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(HealthResponse { status: "ok" })
}

/// The database is reachable and every migration is applied.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses(
        (status = 200, body = HealthResponse),
        (status = 503, description = "Not ready", body = crate::http::docs::Problem, content_type = "application/problem+json")
    )
)]
#[get("/health/ready")]
pub async fn ready(db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    if db.is_ready().await {
        Ok(HttpResponse::Ok().json(HealthResponse { status: "ok" }))
    } else {
        Err(ApiError::unavailable(text!(
            "The database is unreachable or not migrated.",
            "数据库不可达或尚未完成迁移。"
        )))
    }
}
