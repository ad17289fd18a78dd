//! `POST /v1/attrition/import`: the HR system's history as CSV, streamed.

use actix_web::{HttpRequest, HttpResponse, post, web};
use continuity_shared::audit::AuditContext;
use continuity_shared::auth::Caller;
use continuity_shared::db::Db;
use continuity_shared::http::body::require_content_type;
use continuity_shared::http::docs::Problem;
use continuity_shared::{ApiError, ApiResult, text};
use futures_util::StreamExt;

use super::IMPORTERS;
use crate::domain::spell::ImportParser;
use crate::service::SchError;
use crate::service::history::{self, ImportReport};
use crate::settings::SchedulingSettings;

/// Import employment spells from CSV with the columns
/// `employee_id,department_code,hire_date,leave_date` (any order; `leave_date` may be empty
/// or absent). The body is parsed as it streams in, so the file may be of any size up to
/// the configured number of rows (default 2,000,000). All rows are applied or none: a file
/// with bad rows changes nothing, and the answer names each bad row as `rows[N].column`
/// (at most 100). A spell is keyed on (employee_id, hire_date): importing the same rows
/// again changes nothing, a later file may add a leave date, and a rehire is a new spell.
#[utoipa::path(
    tag = "attrition",
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 200, description = "Imported", body = ImportReport),
        (status = 400, description = "The body could not be read", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only a manager, an integration or an admin imports", body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad rows, each named; nothing was written", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/attrition/import")]
pub async fn import_history(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    audit: AuditContext,
    settings: web::Data<SchedulingSettings>,
    mut payload: web::Payload,
) -> ApiResult<HttpResponse> {
    caller.require(IMPORTERS)?;
    require_content_type(&req, |m| m == "text/csv", "text/csv")?;
    let mut parser = ImportParser::new(settings.max_import_rows);
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::malformed(text!(
                "The body could not be read: {e}",
                "无法读取请求体：{e}"
            ))
        })?;
        // Parsing is cheap next to the network; a hopeless file stops being parsed.
        if !parser.is_hopeless() {
            parser.feed(&chunk);
        }
    }
    let spells = parser.finish().map_err(ApiError::validation)?;
    let report = db
        .write(move |conn| history::import_in(conn, spells, &audit))
        .await
        .map_err(|e: SchError| ApiError::from(e))?;
    Ok(HttpResponse::Ok().json(report))
}
