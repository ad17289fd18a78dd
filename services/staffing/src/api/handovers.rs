//! `/v1/handovers`

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use continuity_contract::{EmployeeId, HandoverId, HandoverStatus, ProjectId, TeamRole};
use continuity_shared::audit::AuditContext;
use continuity_shared::auth::Caller;
use continuity_shared::db::Db;
use continuity_shared::etag;
use continuity_shared::http::Json;
use continuity_shared::http::docs::Problem;
use continuity_shared::i18n::Lang;
use continuity_shared::ids::parse_path;
use continuity_shared::pagination::{Page, PageQuery};
use continuity_shared::{ApiError, ApiResult, text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::coverage::{DepartmentCoverageResponse, department};
use super::{HANDOVER_COMPLETERS, HANDOVER_MANAGERS, READERS};
use crate::db::handovers::HandoverFilter;
use crate::domain::Versioned;
use crate::domain::handover::{Handover, PartProgress};
use crate::service::handovers::{self, HandoverView};
use crate::settings::Rules;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProgressResponse {
    pub done: u32,
    pub required: u32,
    pub complete: bool,
}

fn progress(p: Option<PartProgress>) -> Option<ProgressResponse> {
    p.map(|p| ProgressResponse {
        done: p.done,
        required: p.required,
        complete: p.is_done(),
    })
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SuccessorResponse {
    /// Proposed when the handover opened (by the rule `proposal` names).
    pub proposed_employee_id: Option<String>,
    /// `named_by_hr`, `backup`, `same_department`, `most_trained`, `longest_serving`, `none`.
    pub proposal: String,
    /// Why, in the language asked for.
    pub proposal_reason: String,
    pub assigned_employee_id: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CoverageAfterResponse {
    /// The day after the leaver's last working day.
    pub on: NaiveDate,
    #[serde(flatten)]
    pub department: DepartmentCoverageResponse,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HandoverResponse {
    pub handover_id: String,
    pub project_id: String,
    pub leaver_employee_id: String,
    pub department_code: String,
    pub role: TeamRole,
    pub last_working_day: NaiveDate,
    pub due_date: NaiveDate,
    pub status: HandoverStatus,
    pub successor: SuccessorResponse,
    /// Sessions the successor has caught up on, as training-record last reported.
    pub training: Option<ProgressResponse>,
    /// Notices the successor has acknowledged, as process-change last reported.
    pub acknowledgments: Option<ProgressResponse>,
    /// Completed by a manager with parts still open.
    pub forced: bool,
    /// Why it was cancelled or force-completed.
    pub closing_reason: Option<String>,
    /// The department's coverage once the leaver has gone (in `GET /v1/handovers/{id}`).
    pub coverage_after: Option<CoverageAfterResponse>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl HandoverResponse {
    fn new(stored: &Versioned<Handover>, lang: Lang) -> Self {
        let h = &stored.value;
        Self {
            handover_id: h.handover_id.to_string(),
            project_id: h.project_id.to_string(),
            leaver_employee_id: h.leaver_employee_id.to_string(),
            department_code: h.department_code.to_string(),
            role: h.role,
            last_working_day: h.last_working_day,
            due_date: h.due_date,
            status: h.status,
            successor: SuccessorResponse {
                proposed_employee_id: h.proposed_successor.as_ref().map(ToString::to_string),
                proposal: h.proposal.as_str().to_owned(),
                proposal_reason: h.proposal.text().get(lang).to_owned(),
                assigned_employee_id: h.successor.as_ref().map(ToString::to_string),
            },
            training: progress(h.training),
            acknowledgments: progress(h.acknowledgments),
            forced: h.forced,
            closing_reason: h.closing_reason.clone(),
            coverage_after: None,
            version: stored.version,
            created_at: stored.created_at,
            updated_at: stored.updated_at,
        }
    }

    fn with_coverage(view: &HandoverView, lang: Lang) -> Self {
        Self {
            coverage_after: view
                .coverage_after
                .as_ref()
                .map(|(on, d)| CoverageAfterResponse {
                    on: *on,
                    department: department(d, lang),
                }),
            ..Self::new(&view.handover, lang)
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HandoverQuery {
    /// Only this project's handovers.
    #[param(value_type = Option<String>)]
    pub project: Option<String>,
    /// Only handovers in this status.
    #[param(value_type = Option<HandoverStatus>)]
    pub status: Option<String>,
}

impl HandoverQuery {
    fn to_filter(&self) -> ApiResult<HandoverFilter> {
        let status = match self.status.as_deref() {
            None => None,
            Some(raw) => Some(HandoverStatus::parse(raw).ok_or_else(|| {
                ApiError::invalid_field(
                    "status",
                    text!(
                        "must be open, successor_assigned, in_progress, completed or cancelled",
                        "须为 open、successor_assigned、in_progress、completed 或 cancelled"
                    ),
                )
            })?),
        };
        Ok(HandoverFilter {
            project: self
                .project
                .as_deref()
                .map(|p| parse_path::<ProjectId>("project", p))
                .transpose()?,
            status,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignSuccessorRequest {
    #[schema(value_type = String)]
    pub employee_id: EmployeeId,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteHandoverRequest {
    /// Complete with parts still open (a manager only); needs `reason`.
    #[serde(default)]
    pub force: bool,
    /// Why completion is forced, 1 to 500 characters.
    pub reason: Option<String>,
}

fn parse_id(raw: &str) -> ApiResult<HandoverId> {
    parse_path("handover_id", raw)
}

/// One handover, with the coverage of its department once the leaver has gone.
#[utoipa::path(
    tag = "handovers",
    params(("handover_id" = String, Path, description = "The handover's UUID")),
    responses(
        (status = 200, body = HandoverResponse),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/handovers/{handover_id}")]
pub async fn get_handover(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    rules: web::Data<Rules>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let view = handovers::get(&db, parse_id(&id)?, **rules).await?;
    Ok(etag::respond(
        view.handover.version,
        None,
        &HandoverResponse::with_coverage(&view, Lang::of(&req)),
    ))
}

/// Handovers by id (time-ordered), optionally of one project or status.
#[utoipa::path(
    tag = "handovers",
    params(HandoverQuery, PageQuery),
    responses((status = 200, body = Page<HandoverResponse>))
)]
#[get("/v1/handovers")]
pub async fn list_handovers(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    query: web::Query<HandoverQuery>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let lang = Lang::of(&req);
    let page = page.parse()?;
    let rows = handovers::list(&db, query.to_filter()?, page.clone()).await?;
    let page = Page::from_rows(
        rows,
        &page,
        |r| r.value.handover_id.to_string(),
        |r| HandoverResponse::new(&r, lang),
    );
    Ok(HttpResponse::Ok().json(page))
}

/// Assign (or change) the successor: puts them on the team in the leaver's department
/// and role.
#[utoipa::path(
    tag = "handovers",
    params(("handover_id" = String, Path, description = "The handover's UUID")),
    request_body = AssignSuccessorRequest,
    responses(
        (status = 200, body = HandoverResponse),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The handover is completed or cancelled", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown or unavailable employee", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/handovers/{handover_id}/successor")]
pub async fn assign_successor(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    audit: AuditContext,
    rules: web::Data<Rules>,
    id: web::Path<String>,
    body: Json<AssignSuccessorRequest>,
) -> ApiResult<HttpResponse> {
    caller.require(HANDOVER_MANAGERS)?;
    let id = parse_id(&id)?;
    let Json(body) = body;
    let stored = handovers::assign(&db, id, body.employee_id, audit, **rules).await?;
    Ok(etag::respond(
        stored.version,
        None,
        &HandoverResponse::new(&stored, Lang::of(&req)),
    ))
}

/// Complete a handover: both parts done, or forced by a manager with a reason.
#[utoipa::path(
    tag = "handovers",
    params(("handover_id" = String, Path, description = "The handover's UUID")),
    request_body(content = Option<CompleteHandoverRequest>, description = "Optional: `{\"force\": true, \"reason\": \"...\"}`"),
    responses(
        (status = 200, body = HandoverResponse),
        (status = 403, description = "Forcing is for managers", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No successor, parts not done, or already closed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Forcing without a reason", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/handovers/{handover_id}/complete")]
pub async fn complete_handover(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    audit: AuditContext,
    id: web::Path<String>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    caller.require(HANDOVER_COMPLETERS)?;
    let id = parse_id(&id)?;
    let body: CompleteHandoverRequest = if body.is_empty() {
        CompleteHandoverRequest::default()
    } else {
        continuity_shared::http::body::require_content_type(
            &req,
            |m| m == "application/json",
            "application/json",
        )?;
        continuity_shared::http::body::parse_json(&body)?
    };
    let forced = if body.force {
        caller.require(HANDOVER_MANAGERS)?;
        let reason = body
            .reason
            .as_deref()
            .map(continuity_contract::Reason::parse)
            .transpose()
            .ok()
            .flatten()
            .ok_or_else(|| {
                ApiError::invalid_field(
                    "reason",
                    text!(
                        "is required to force completion (1 to 500 characters)",
                        "强制完成须填写原因（1 到 500 个字符）"
                    ),
                )
            })?;
        Some(reason.as_str().to_owned())
    } else {
        None
    };
    let stored = handovers::complete(&db, id, forced, audit).await?;
    Ok(etag::respond(
        stored.version,
        None,
        &HandoverResponse::new(&stored, Lang::of(&req)),
    ))
}
