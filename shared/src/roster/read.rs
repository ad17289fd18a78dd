//! What a consuming service reads from its roster copy in its own use cases: one
//! employee, one project, everyone of some departments. Values, never rows.

use continuity_contract::{DepartmentCode, EmployeeId, ProjectId};
use diesel::prelude::*;

use super::db::EmployeeRow;
use super::model::{CopiedEmployee, CopiedProject};
use super::schema::{roster_employees as re, roster_projects as rp};
use crate::db::{DbConnection, DbResult};

/// The copied employee `id`, if the producer has described them.
pub fn employee(conn: &mut DbConnection, id: &EmployeeId) -> DbResult<Option<CopiedEmployee>> {
    let row = super::db::employee(conn, id.as_str())?;
    Ok(row.map(CopiedEmployee::try_from).transpose()?)
}

/// The copied project `id`, if the producer has published it.
pub fn project(conn: &mut DbConnection, id: &ProjectId) -> DbResult<Option<CopiedProject>> {
    let row = super::db::project(conn, &id.to_string())?;
    Ok(row.map(CopiedProject::try_from).transpose()?)
}

/// Every copied employee of `departments`, by id.
pub fn employees_in(
    conn: &mut DbConnection,
    departments: &[DepartmentCode],
) -> DbResult<Vec<CopiedEmployee>> {
    if departments.is_empty() {
        return Ok(Vec::new());
    }
    let codes: Vec<&str> = departments.iter().map(|d| d.as_str()).collect();
    let rows: Vec<EmployeeRow> = re::table
        .filter(re::department_code.eq_any(codes))
        .order(re::employee_id.asc())
        .select(EmployeeRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(CopiedEmployee::try_from)
        .collect::<Result<_, _>>()?)
}

/// Whether the project is in the copy (cheaper than reading it).
pub fn project_exists(conn: &mut DbConnection, id: &ProjectId) -> DbResult<bool> {
    let n: i64 = rp::table
        .filter(rp::project_id.eq(id.to_string()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
