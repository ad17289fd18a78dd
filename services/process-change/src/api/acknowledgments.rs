//! `/v1/notices/{id}/acknowledgments` and `/v1/employees/{employee_id}/pending-acknowledgments`

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use continuity_contract::{DepartmentCode, EmployeeId, Name, NoticeId, ProjectId};
use continuity_shared::audit::AuditContext;
use continuity_shared::auth::Caller;
use continuity_shared::db::Db;
use continuity_shared::http::Json;
use continuity_shared::http::docs::Problem;
use continuity_shared::ids::parse_path;
use continuity_shared::{ApiError, ApiResult};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::format::{Format, negotiate};
use super::notices::parse_notice;
use super::{ACKNOWLEDGERS, READERS};
use crate::db::acknowledgments::Ack;
use crate::domain::acknowledgment::AckStatus;
use crate::service::acknowledgments as service;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeRequest {
    pub employee_id: EmployeeId,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AcknowledgmentResponse {
    pub notice_id: NoticeId,
    pub employee_id: EmployeeId,
    pub department_code: DepartmentCode,
    pub status: AckStatus,
    /// When it was asked for.
    pub created_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// The token that acknowledged (the person's own, or the CRM's).
    pub acknowledged_by: Option<String>,
}

impl From<&Ack> for AcknowledgmentResponse {
    fn from(a: &Ack) -> Self {
        Self {
            notice_id: a.notice_id,
            employee_id: a.employee_id.clone(),
            department_code: a.department_code.clone(),
            status: a.status,
            created_at: a.created_at,
            acknowledged_at: a.acknowledged_at,
            acknowledged_by: a.acknowledged_by.clone(),
        }
    }
}

/// Who has and who has not acknowledged, in one department.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DepartmentAcknowledgments {
    pub department_code: DepartmentCode,
    pub acknowledged: Vec<AcknowledgmentResponse>,
    pub pending: Vec<AcknowledgmentResponse>,
    /// People who left before acknowledging.
    pub not_required: Vec<AcknowledgmentResponse>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NoticeAcknowledgments {
    pub notice_id: NoticeId,
    pub departments: Vec<DepartmentAcknowledgments>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PendingAcknowledgment {
    pub notice_id: NoticeId,
    pub project_id: ProjectId,
    pub number: i64,
    pub title: Name,
    pub department_code: DepartmentCode,
    pub published_on: Option<NaiveDate>,
    /// When it was asked of the person.
    pub since: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PendingAcknowledgments {
    pub employee_id: EmployeeId,
    pub items: Vec<PendingAcknowledgment>,
}

/// A CSV cell that a spreadsheet will not read as a formula.
pub(super) fn csv_safe(raw: &str) -> String {
    match raw.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{raw}"),
        _ => raw.to_owned(),
    }
}

fn grouped(notice: NoticeId, acks: &[Ack]) -> NoticeAcknowledgments {
    let mut departments: Vec<DepartmentAcknowledgments> = Vec::new();
    for a in acks {
        if departments
            .last()
            .is_none_or(|d| d.department_code != a.department_code)
        {
            departments.push(DepartmentAcknowledgments {
                department_code: a.department_code.clone(),
                acknowledged: Vec::new(),
                pending: Vec::new(),
                not_required: Vec::new(),
            });
        }
        if let Some(d) = departments.last_mut() {
            let list = match a.status {
                AckStatus::Acknowledged => &mut d.acknowledged,
                AckStatus::Pending => &mut d.pending,
                AckStatus::NotRequired => &mut d.not_required,
            };
            list.push(AcknowledgmentResponse::from(a));
        }
    }
    NoticeAcknowledgments {
        notice_id: notice,
        departments,
    }
}

fn csv(acks: &[Ack]) -> ApiResult<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "department_code",
        "employee_id",
        "status",
        "acknowledged_at",
        "acknowledged_by",
    ])
    .map_err(ApiError::internal)?;
    for a in acks {
        w.write_record([
            a.department_code.to_string(),
            a.employee_id.to_string(),
            a.status.as_str().to_owned(),
            a.acknowledged_at
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
            csv_safe(a.acknowledged_by.as_deref().unwrap_or_default()),
        ])
        .map_err(ApiError::internal)?;
    }
    let bytes = w.into_inner().map_err(ApiError::internal)?;
    String::from_utf8(bytes).map_err(ApiError::internal)
}

/// Acknowledge a published notice for one employee: a `member` only for itself, the CRM's
/// `integration` token for anyone. A repeat changes nothing and answers 200.
#[utoipa::path(
    tag = "acknowledgments",
    params(("notice_id" = String, Path, description = "The notice's UUID")),
    request_body = AcknowledgeRequest,
    responses(
        (status = 201, description = "Acknowledged now", body = AcknowledgmentResponse),
        (status = 200, description = "Already acknowledged: nothing changed", body = AcknowledgmentResponse),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A member acknowledging for someone else", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such notice, or it asks nothing of this employee", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The notice is not published, or the person left", body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed notice id or invalid employee id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/notices/{notice_id}/acknowledgments")]
pub async fn acknowledge(
    caller: Caller,
    db: web::Data<Db>,
    audit: AuditContext,
    id: web::Path<String>,
    body: Json<AcknowledgeRequest>,
) -> ApiResult<HttpResponse> {
    let notice = parse_notice(&id)?;
    let Json(r) = body;
    caller.require_self_or(&r.employee_id, ACKNOWLEDGERS)?;
    let (ack, made) = service::acknowledge(&db, notice, r.employee_id, audit).await?;
    let mut res = if made {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(res.json(AcknowledgmentResponse::from(&ack)))
}

/// Who has and who has not acknowledged a notice, by department: JSON, or CSV for
/// `Accept: text/csv`.
#[utoipa::path(
    tag = "acknowledgments",
    params(
        ("notice_id" = String, Path, description = "The notice's UUID"),
        ("Accept" = Option<String>, Header, description = "`application/json` (default) or `text/csv`"),
    ),
    responses(
        (status = 200, body = NoticeAcknowledgments, content_type = "application/json"),
        (status = 200, description = "One row per person", body = String, content_type = "text/csv"),
        (status = 422, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/notices/{notice_id}/acknowledgments")]
pub async fn list_acknowledgments(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require(READERS)?;
    let notice = parse_notice(&id)?;
    let (_, acks) = service::of_notice(&db, notice).await?;
    match negotiate(&req, &[Format::Json, Format::Csv]) {
        Format::Csv => Ok(HttpResponse::Ok()
            .content_type(Format::Csv.content_type())
            .insert_header(("Vary", "Accept"))
            .body(csv(&acks)?)),
        _ => Ok(HttpResponse::Ok().json(grouped(notice, &acks))),
    }
}

/// What one person has still to acknowledge, oldest notice first (a member may read only
/// its own).
#[utoipa::path(
    tag = "acknowledgments",
    params(("employee_id" = String, Path, description = "The HR system's id of the person")),
    responses(
        (status = 200, body = PendingAcknowledgments),
        (status = 422, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/employees/{employee_id}/pending-acknowledgments")]
pub async fn pending_acknowledgments(
    caller: Caller,
    db: web::Data<Db>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let employee: EmployeeId = parse_path("employee_id", &id)?;
    caller.require_self_or(&employee, READERS)?;
    let items = service::pending_of(&db, employee.clone())
        .await?
        .into_iter()
        .map(|p| PendingAcknowledgment {
            notice_id: p.notice_id,
            project_id: p.project_id,
            number: p.number,
            title: p.title,
            department_code: p.department_code,
            published_on: p.published_on,
            since: p.since,
        })
        .collect();
    Ok(HttpResponse::Ok().json(PendingAcknowledgments {
        employee_id: employee,
        items,
    }))
}
