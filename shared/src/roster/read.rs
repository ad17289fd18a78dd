//! What a consuming service reads of its copy for its own rules: the active people of some
//! departments, and one employee.

use continuity_contract::{DepartmentCode, EmployeeId, EmployeeStatus};
use diesel::prelude::*;

use super::db::{self, EmployeeRow};
use super::model::CopiedEmployee;
use super::schema::roster_employees as re;
use crate::db::{DbConnection, DbResult};

/// Every `active` employee of `departments`, by department then id.
pub fn active_employees_in(
    conn: &mut DbConnection,
    departments: &[DepartmentCode],
) -> DbResult<Vec<CopiedEmployee>> {
    let codes: Vec<&str> = departments.iter().map(|d| d.as_str()).collect();
    let mut out = Vec::new();
    // Bounded parameter lists: SQLite allows at most 32,766 per statement.
    for chunk in codes.chunks(500) {
        let rows: Vec<EmployeeRow> = re::table
            .filter(re::department_code.eq_any(chunk))
            .filter(re::status.eq(EmployeeStatus::Active.as_str()))
            .order((re::department_code.asc(), re::employee_id.asc()))
            .select(EmployeeRow::as_select())
            .load(conn)?;
        for r in rows {
            out.push(CopiedEmployee::try_from(r)?);
        }
    }
    Ok(out)
}

/// One employee of the copy, if copied.
pub fn employee(conn: &mut DbConnection, id: &EmployeeId) -> DbResult<Option<CopiedEmployee>> {
    match db::employee(conn, id.as_str())? {
        Some(r) => Ok(Some(CopiedEmployee::try_from(r)?)),
        None => Ok(None),
    }
}

/// One department of the copy, if copied.
pub fn department(
    conn: &mut DbConnection,
    code: &DepartmentCode,
) -> DbResult<Option<super::model::CopiedDepartment>> {
    match db::department(conn, code.as_str())? {
        Some(r) => Ok(Some(super::model::CopiedDepartment::try_from(r)?)),
        None => Ok(None),
    }
}
