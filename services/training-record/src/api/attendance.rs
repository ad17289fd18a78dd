//! `/v1/training-sessions/{id}/attendance`: who attended, one person or a list.

use actix_web::{HttpResponse, put, web};
use continuity_contract::EmployeeId;
use continuity_shared::ApiResult;
use continuity_shared::audit::AuditContext;
use continuity_shared::auth::Caller;
use continuity_shared::db::Db;
use continuity_shared::http::Json;
use continuity_shared::http::docs::Problem;
use continuity_shared::ids::parse_path;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ATTENDANCE_WRITERS;
use super::sessions::parse_session;
use crate::service::attendance;

/// The most people one bulk request may mark.
pub const MAX_BULK: usize = 5_000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceRequest {
    /// Default true.
    #[serde(default = "yes")]
    pub attended: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceMark {
    #[schema(value_type = String)]
    pub employee_id: EmployeeId,
    pub attended: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkAttendanceRequest {
    /// Up to 5,000 people.
    pub items: Vec<AttendanceMark>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceResponse {
    pub session_id: String,
    /// How many marks changed something.
    pub changed: usize,
}

/// Record whether one person attended a session.
#[utoipa::path(
    tag = "attendance",
    params(
        ("session_id" = String, Path, description = "The session's UUID"),
        ("employee_id" = String, Path, description = "The HR system's employee id"),
    ),
    request_body = AttendanceRequest,
    responses(
        (status = 200, body = AttendanceResponse),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown session", body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/training-sessions/{session_id}/attendance/{employee_id}")]
pub async fn put_attendance(
    caller: Caller,
    db: web::Data<Db>,
    audit: AuditContext,
    path: web::Path<(String, String)>,
    body: Json<AttendanceRequest>,
) -> ApiResult<HttpResponse> {
    caller.require(ATTENDANCE_WRITERS)?;
    let session = parse_session(&path.0)?;
    let employee: EmployeeId = parse_path("employee_id", &path.1)?;
    let changed = attendance::put(&db, session, vec![(employee, body.0.attended)], audit).await?;
    Ok(HttpResponse::Ok().json(AttendanceResponse {
        session_id: session.to_string(),
        changed,
    }))
}

/// Record attendance of many people at once, in one transaction.
#[utoipa::path(
    tag = "attendance",
    params(("session_id" = String, Path, description = "The session's UUID")),
    request_body = BulkAttendanceRequest,
    responses(
        (status = 200, body = AttendanceResponse),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown session", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/training-sessions/{session_id}/attendance")]
pub async fn put_attendance_bulk(
    caller: Caller,
    db: web::Data<Db>,
    audit: AuditContext,
    path: web::Path<String>,
    body: Json<BulkAttendanceRequest>,
) -> ApiResult<HttpResponse> {
    caller.require(ATTENDANCE_WRITERS)?;
    let session = parse_session(&path)?;
    let items = body.0.items;
    if items.len() > MAX_BULK {
        return Err(continuity_shared::ApiError::invalid_field(
            "items",
            continuity_shared::text!("must hold at most {MAX_BULK} people", "最多 {MAX_BULK} 人"),
        ));
    }
    let marks = items
        .into_iter()
        .map(|m| (m.employee_id, m.attended))
        .collect();
    let changed = attendance::put(&db, session, marks, audit).await?;
    Ok(HttpResponse::Ok().json(AttendanceResponse {
        session_id: session.to_string(),
        changed,
    }))
}
