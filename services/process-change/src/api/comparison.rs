//! `/v1/projects/{project_id}/process-changes/comparison`: the published, current changes
//! grouped by process and step, before beside after, for the simulation training.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use continuity_contract::{DepartmentCode, Name, NoticeId, ProcessChangeId, ProjectId, Reason};
use continuity_shared::auth::Caller;
use continuity_shared::db::Db;
use continuity_shared::http::docs::Problem;
use continuity_shared::i18n::Lang;
use continuity_shared::{ApiError, ApiResult};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::changes::parse_project;
use super::format::{Format, negotiate};
use super::{READERS, document};
use crate::service::changes;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ComparedStep {
    pub step: Name,
    pub before: Reason,
    pub after: Reason,
    pub reason: Reason,
    pub effective_date: NaiveDate,
    pub departments: Vec<DepartmentCode>,
    pub change_id: ProcessChangeId,
    pub notice_id: Option<NoticeId>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ComparedProcess {
    pub process: Name,
    pub steps: Vec<ComparedStep>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ComparisonResponse {
    pub project_id: ProjectId,
    pub processes: Vec<ComparedProcess>,
}

fn csv(c: &ComparisonResponse) -> ApiResult<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "process",
        "step",
        "before",
        "after",
        "reason",
        "effective_date",
        "departments",
        "change_id",
    ];
    w.write_record(header).map_err(ApiError::internal)?;
    for p in &c.processes {
        for s in &p.steps {
            let departments = s
                .departments
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(" ");
            w.write_record([
                super::acknowledgments::csv_safe(p.process.as_str()),
                super::acknowledgments::csv_safe(s.step.as_str()),
                super::acknowledgments::csv_safe(s.before.as_str()),
                super::acknowledgments::csv_safe(s.after.as_str()),
                super::acknowledgments::csv_safe(s.reason.as_str()),
                s.effective_date.to_string(),
                departments,
                s.change_id.to_string(),
            ])
            .map_err(ApiError::internal)?;
        }
    }
    let bytes = w.into_inner().map_err(ApiError::internal)?;
    String::from_utf8(bytes).map_err(ApiError::internal)
}

/// The project's current process changes, before beside after: JSON, printable HTML
/// (`Accept: text/html`, in the language of `Accept-Language`) or CSV (`text/csv`).
#[utoipa::path(
    tag = "process changes",
    params(
        ("project_id" = String, Path, description = "The project's UUID"),
        ("Accept" = Option<String>, Header, description = "`application/json` (default), `text/html` or `text/csv`"),
    ),
    responses(
        (status = 200, body = ComparisonResponse, content_type = "application/json"),
        (status = 200, description = "Printable", body = String, content_type = "text/html"),
        (status = 200, description = "One row per step", body = String, content_type = "text/csv"),
        (status = 422, description = "Malformed project id", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/projects/{project_id}/process-changes/comparison")]
pub async fn get_comparison(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    project: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let project = parse_project(&project)?;
    let current = changes::current(&db, project).await?;
    let mut processes: Vec<ComparedProcess> = Vec::new();
    for c in current {
        let v = c.value;
        let f = v.fields;
        let step = ComparedStep {
            step: f.step,
            before: f.before,
            after: f.after,
            reason: f.reason,
            effective_date: f.effective_date,
            departments: f.departments,
            change_id: v.change_id,
            notice_id: v.notice_id,
        };
        match processes.last_mut() {
            Some(p) if p.process == f.process => p.steps.push(step),
            _ => processes.push(ComparedProcess {
                process: f.process,
                steps: vec![step],
            }),
        }
    }
    let body = ComparisonResponse {
        project_id: project,
        processes,
    };
    let format = negotiate(&req, &[Format::Json, Format::Html, Format::Csv]);
    let text = match format {
        Format::Html => document::comparison_html(&body, Lang::of(&req)),
        Format::Csv => csv(&body)?,
        _ => return Ok(HttpResponse::Ok().json(body)),
    };
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header(("Vary", "Accept, Accept-Language"))
        .body(text))
}
