//! Creating, changing, importing and reading employees.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use continuity_shared::db::{Db, DbConnection};
use continuity_shared::etag::IfMatch;
use continuity_shared::ids::EmployeeId;
use continuity_shared::pagination::PageRequest;
use continuity_shared::{ApiError, ApiResult, FieldError, clock, text};
use serde::Serialize;
use utoipa::ToSchema;

use continuity_shared::events::outbox;

use super::{Put, events};
use crate::db::departments;
use crate::db::employees::{self as rows, EmployeeFilter, EmployeeRow};
use crate::domain::employee::Employee;
use crate::domain::import::parse_roster;

pub fn not_found(id: &str) -> ApiError {
    ApiError::not_found(text!(
        "Employee `{id}` does not exist.",
        "员工 `{id}` 不存在。"
    ))
}

fn unknown_department(field: String, code: &str) -> FieldError {
    FieldError::new(
        field,
        text!("department `{code}` does not exist", "部门 `{code}` 不存在"),
    )
}

/// Creates or replaces an employee, honouring `If-Match`.
pub async fn put(db: &Db, employee: Employee, if_match: IfMatch) -> ApiResult<(EmployeeRow, Put)> {
    db.write(move |conn| {
        let code = employee.department_code.as_str();
        if departments::find(conn, code)?.is_none() {
            return Err(ApiError::validation(vec![unknown_department(
                "department_code".into(),
                code,
            )]));
        }
        let existing = rows::find(conn, employee.employee_id.as_str())?;
        if_match.check(existing.as_ref().map(|r| r.version))?;
        upsert(conn, &employee, existing)
    })
    .await
}

/// Creates or updates one employee and publishes the change, in the caller's transaction.
fn upsert(
    conn: &mut DbConnection,
    employee: &Employee,
    existing: Option<EmployeeRow>,
) -> ApiResult<(EmployeeRow, Put)> {
    let now = clock::now().naive_utc();
    let (row, put) = match existing {
        None => {
            let row = EmployeeRow::new(employee, 1, now, now);
            rows::insert(conn, &row)?;
            (row, Put::Created)
        }
        Some(old) if old.to_domain().as_ref() == Some(employee) => {
            return Ok((old, Put::Unchanged));
        }
        Some(old) => {
            let row = EmployeeRow::new(employee, old.version + 1, old.created_at, now);
            rows::update(conn, &row)?;
            (row, Put::Updated)
        }
    };
    outbox::publish(conn, &[events::employee_upserted(&row)?])?;
    Ok((row, put))
}

pub async fn get(db: &Db, id: EmployeeId) -> ApiResult<EmployeeRow> {
    db.read(move |conn| rows::find(conn, id.as_str())?.ok_or_else(|| not_found(id.as_str())))
        .await
}

pub async fn list(
    db: &Db,
    filter: EmployeeFilter,
    page: PageRequest,
) -> ApiResult<Vec<EmployeeRow>> {
    db.read(move |conn| rows::list(conn, &filter, &page)).await
}

/// What an import did.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct ImportReport {
    /// Data rows in the file.
    pub received: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Applies a roster file as one transaction: every row valid and applied, or nothing
/// changed and every bad row reported.
pub async fn import(
    db: &Db,
    csv: actix_web::web::Bytes,
    today: NaiveDate,
) -> ApiResult<ImportReport> {
    db.write(move |conn| {
        let employees = parse_roster(&csv, today).map_err(ApiError::validation)?;
        let codes: Vec<String> = employees
            .iter()
            .map(|e| e.department_code.to_string())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let known: HashSet<String> = departments::existing_codes(conn, &codes)?
            .into_iter()
            .collect();
        let unknown: Vec<FieldError> = employees
            .iter()
            .enumerate()
            .filter(|(_, e)| !known.contains(e.department_code.as_str()))
            .map(|(i, e)| {
                unknown_department(
                    format!("rows[{}].department_code", i + 1),
                    e.department_code.as_str(),
                )
            })
            .take(crate::domain::import::MAX_REPORTED_ERRORS)
            .collect();
        if !unknown.is_empty() {
            return Err(ApiError::validation(unknown));
        }
        let ids: Vec<String> = employees
            .iter()
            .map(|e| e.employee_id.to_string())
            .collect();
        let mut existing: HashMap<String, EmployeeRow> = rows::find_many(conn, &ids)?
            .into_iter()
            .map(|r| (r.employee_id.clone(), r))
            .collect();
        let now = clock::now().naive_utc();
        let mut report = ImportReport {
            received: employees.len(),
            created: 0,
            updated: 0,
            unchanged: 0,
        };
        let mut fresh = Vec::new();
        for employee in &employees {
            match existing.remove(employee.employee_id.as_str()) {
                None => fresh.push(EmployeeRow::new(employee, 1, now, now)),
                Some(old) => match upsert(conn, employee, Some(old))?.1 {
                    Put::Unchanged => report.unchanged += 1,
                    _ => report.updated += 1,
                },
            }
        }
        rows::insert_many(conn, &fresh)?;
        let created = fresh
            .iter()
            .map(events::employee_upserted)
            .collect::<ApiResult<Vec<_>>>()?;
        outbox::publish(conn, &created)?;
        report.created = fresh.len();
        Ok(report)
    })
    .await
}
