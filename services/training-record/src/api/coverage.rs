//! `GET /v1/projects/{project_id}/training-coverage`: per session, who of its audience
//! attended or completed it; per person, the share of the required sessions done.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use continuity_contract::ProjectId;
use continuity_shared::auth::Caller;
use continuity_shared::db::Db;
use continuity_shared::http::docs::Problem;
use continuity_shared::ids::parse_path;
use continuity_shared::{ApiError, ApiResult};
use serde::Serialize;
use utoipa::ToSchema;

use super::READERS;
use crate::domain::coverage::{Coverage, csv_safe};
use crate::service::coverage;

#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageParticipant {
    pub employee_id: String,
    pub department_code: String,
    pub attended: bool,
    /// Share of the session's recordings watched (or documents read), 0 to 1.
    pub watched_share: f64,
    /// Attended, or completed the recordings.
    pub done: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionCoverageResponse {
    pub session_id: String,
    pub title: String,
    pub module: String,
    pub held_on: NaiveDate,
    pub required: bool,
    pub departments: Vec<String>,
    /// Active employees of the audience departments.
    pub audience: u32,
    pub attended: u32,
    pub done: u32,
    /// The audience, by employee id.
    pub people: Vec<CoverageParticipant>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonCoverageResponse {
    pub employee_id: String,
    pub department_code: String,
    pub sessions_required: u32,
    pub sessions_done: u32,
    /// 0 to 1; 1 when no required session is meant for the person.
    pub share_done: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageResponse {
    pub project_id: String,
    /// Oldest first.
    pub sessions: Vec<SessionCoverageResponse>,
    /// Everyone of an audience, by employee id.
    pub people: Vec<PersonCoverageResponse>,
}

fn to_json(project: ProjectId, c: &Coverage) -> CoverageResponse {
    CoverageResponse {
        project_id: project.to_string(),
        sessions: c
            .sessions
            .iter()
            .map(|s| SessionCoverageResponse {
                session_id: s.session.session_id.to_string(),
                title: s.session.title.to_string(),
                module: s.session.module.to_string(),
                held_on: s.session.held_on,
                required: s.session.required,
                departments: s
                    .session
                    .departments
                    .iter()
                    .map(|d| d.to_string())
                    .collect(),
                audience: s.audience,
                attended: s.attended,
                done: s.done,
                people: s
                    .people
                    .iter()
                    .map(|p| CoverageParticipant {
                        employee_id: p.employee_id.as_str().to_owned(),
                        department_code: p.department_code.to_string(),
                        attended: p.attended,
                        watched_share: p.watched_share,
                        done: p.done,
                    })
                    .collect(),
            })
            .collect(),
        people: c
            .people
            .iter()
            .map(|p| PersonCoverageResponse {
                employee_id: p.employee_id.as_str().to_owned(),
                department_code: p.department_code.to_string(),
                sessions_required: p.sessions_required,
                sessions_done: p.sessions_done,
                share_done: p.share_done,
            })
            .collect(),
    }
}

/// One row per session and person of its audience.
fn to_csv(c: &Coverage) -> ApiResult<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "session_id",
        "title",
        "held_on",
        "employee_id",
        "department_code",
        "attended",
        "watched_share",
        "done",
    ])
    .map_err(ApiError::internal)?;
    for s in &c.sessions {
        for p in &s.people {
            w.write_record([
                s.session.session_id.to_string(),
                csv_safe(s.session.title.as_ref()),
                s.session.held_on.to_string(),
                csv_safe(p.employee_id.as_str()),
                csv_safe(p.department_code.as_ref()),
                p.attended.to_string(),
                format!("{:.3}", p.watched_share),
                p.done.to_string(),
            ])
            .map_err(ApiError::internal)?;
        }
    }
    let bytes = w.into_inner().map_err(ApiError::internal)?;
    String::from_utf8(bytes).map_err(ApiError::internal)
}

/// Whether `Accept` prefers `text/csv` to JSON (JSON when it names neither).
fn wants_csv(req: &HttpRequest) -> bool {
    let Some(raw) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut best: Option<(f32, bool)> = None;
    for part in raw.split(',') {
        let mut pieces = part.split(';');
        let media = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = pieces
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|v| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let csv = match media.as_str() {
            "text/csv" => true,
            "application/json" => false,
            _ => continue,
        };
        if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, csv));
        }
    }
    best.is_some_and(|(_, csv)| csv)
}

/// Training coverage of a project: per session (required and optional), who of its
/// audience (active employees of its departments) attended or completed it, with counts;
/// per person, the share of the required sessions done. JSON, or CSV for `Accept: text/csv`.
#[utoipa::path(
    tag = "catch-up",
    params(
        ("project_id" = String, Path, description = "The project's UUID"),
        ("Accept" = Option<String>, Header, description = "`application/json` (default) or `text/csv`"),
    ),
    responses(
        (status = 200, description = "JSON, or for `Accept: text/csv` one row per session and person: session_id, title, held_on, employee_id, department_code, attended, watched_share, done", content(
            (CoverageResponse = "application/json"),
            (String = "text/csv"),
        )),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown project", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/projects/{project_id}/training-coverage")]
pub async fn get_coverage(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let project: ProjectId = parse_path("project_id", &path)?;
    let c = coverage::get(&db, project).await?;
    if wants_csv(&req) {
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header(("Vary", "Accept"))
            .body(to_csv(&c)?));
    }
    Ok(HttpResponse::Ok()
        .insert_header(("Vary", "Accept"))
        .json(to_json(project, &c)))
}
