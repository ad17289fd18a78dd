//! `POST /v1/employees/import`: the roster as CSV.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, post, web};
use continuity_shared::audit::AuditContext;
use continuity_shared::auth::Caller;
use continuity_shared::clock::Clock;
use continuity_shared::db::Db;
use continuity_shared::http::body::{
    body_limit, check_declared_length, read_body, require_content_type,
};
use continuity_shared::http::docs::Problem;
use continuity_shared::idempotency::{self, Created, IdempotencyKey};
use continuity_shared::{ApiError, ApiResult};

use super::ROSTER_WRITERS;
use crate::service::employees::{self, ImportReport};
use crate::settings::StaffingSettings;

/// Import the roster from CSV with the columns
/// `employee_id,name,department_code,hire_date,leave_date` (any order; `leave_date` may be
/// empty or absent). All rows are applied, or none: a file with bad rows changes nothing
/// and the answer names each bad row as `rows[N].column`. Send an `Idempotency-Key` to
/// retry safely. A `leave_date` given to an active employee is a resignation, published
/// as `employee.resigned` like one from the HR webhook.
#[utoipa::path(
    tag = "employees",
    request_body(content = String, content_type = "text/csv"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 200, description = "Imported", body = ImportReport),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad rows, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/employees/import")]
#[allow(clippy::too_many_arguments)] // one extractor per thing the handler needs
pub async fn import_employees(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    clock: web::Data<Clock>,
    rules: web::Data<crate::settings::Rules>,
    audit: AuditContext,
    settings: web::Data<StaffingSettings>,
    key: IdempotencyKey,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    caller.require(ROSTER_WRITERS)?;
    require_content_type(&req, |m| m == "text/csv", "text/csv")?;
    let limit = body_limit(&req);
    check_declared_length(&req, limit)?;
    let csv = read_body(payload.into_inner(), limit).await?;
    // "Today" is the company's, not UTC's: a leave date of today is still "leaving".
    let today = clock.today();
    // Parsed and checked before the write transaction: the single writer is not held
    // for it, and a bad file costs no transaction at all.
    let employees = employees::parse_import(&csv, today, settings.max_import_rows)?;
    let rules = **rules;
    idempotency::once(&db, &caller, key, "employees.import", &csv, move |conn| {
        let report = employees::import_in(conn, employees, &audit, &rules)?;
        let body = serde_json::to_value(&report).map_err(ApiError::internal)?;
        Ok(Created {
            status: StatusCode::OK,
            body,
        })
    })
    .await
}
