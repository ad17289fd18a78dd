//! The coverage status last published per project and department, and the departments'
//! needs coverage is read against.

use chrono::NaiveDate;
use continuity_contract::{CoverageStatus, DepartmentCode, ProjectId};
use continuity_shared::db::{CorruptRow, DbConnection, DbResult};
use continuity_shared::with_backend;
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::schema::{coverage_states, departments};
use crate::domain::coverage::DepartmentNeed;

/// Every department's need: what a project's coverage is read against.
pub fn needs(conn: &mut DbConnection) -> DbResult<Vec<DepartmentNeed>> {
    let rows: Vec<(String, bool, i32)> = departments::table
        .order(departments::code.asc())
        .select((
            departments::code,
            departments::is_key,
            departments::min_project_members,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(code, key, min)| {
            let bad = |column| CorruptRow::new("departments", &code, column);
            Ok(DepartmentNeed {
                code: DepartmentCode::parse(&code).map_err(|_| bad("code"))?,
                key,
                required: u32::try_from(min).map_err(|_| bad("min_project_members"))?,
            })
        })
        .collect()
}

/// A published status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageState {
    pub department_code: DepartmentCode,
    pub status: CoverageStatus,
}

pub fn states(conn: &mut DbConnection, project: &ProjectId) -> DbResult<Vec<CoverageState>> {
    let rows: Vec<(String, String)> = coverage_states::table
        .filter(coverage_states::project_id.eq(project.to_string()))
        .select((coverage_states::department_code, coverage_states::status))
        .load(conn)?;
    rows.into_iter()
        .map(|(code, status)| {
            let bad = |column| CorruptRow::new("coverage_states", &code, column);
            Ok(CoverageState {
                department_code: DepartmentCode::parse(&code)
                    .map_err(|_| bad("department_code"))?,
                status: CoverageStatus::parse(&status).ok_or_else(|| bad("status"))?,
            })
        })
        .collect()
}

/// Records the status published for a department.
pub fn save(
    conn: &mut DbConnection,
    project: &ProjectId,
    department: &DepartmentCode,
    status: CoverageStatus,
    (required, effective): (u32, u32),
    on: NaiveDate,
) -> DbResult<()> {
    let row = (
        coverage_states::project_id.eq(project.to_string()),
        coverage_states::department_code.eq(department.as_str()),
        coverage_states::status.eq(status.as_str()),
        coverage_states::required.eq(required as i32),
        coverage_states::effective.eq(effective as i32),
        coverage_states::checked_on.eq(on),
    );
    with_backend!(conn, |c| diesel::insert_into(coverage_states::table)
        .values(row.clone())
        .on_conflict((
            coverage_states::project_id,
            coverage_states::department_code
        ))
        .do_update()
        .set((
            coverage_states::status.eq(excluded(coverage_states::status)),
            coverage_states::required.eq(excluded(coverage_states::required)),
            coverage_states::effective.eq(excluded(coverage_states::effective)),
            coverage_states::checked_on.eq(excluded(coverage_states::checked_on)),
        ))
        .execute(c))?;
    Ok(())
}

/// Forgets a department no longer on the project.
pub fn forget(
    conn: &mut DbConnection,
    project: &ProjectId,
    department: &DepartmentCode,
) -> DbResult<()> {
    diesel::delete(coverage_states::table.find((project.to_string(), department.as_str())))
        .execute(conn)?;
    Ok(())
}
