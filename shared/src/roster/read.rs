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

/// One project of the copy, if copied.
pub fn project(
    conn: &mut DbConnection,
    id: &continuity_contract::ProjectId,
) -> DbResult<Option<super::model::CopiedProject>> {
    match db::project(conn, &id.to_string())? {
        Some(r) => Ok(Some(super::model::CopiedProject::try_from(r)?)),
        None => Ok(None),
    }
}

/// Every member of a project's team, by employee id.
pub fn members_of(
    conn: &mut DbConnection,
    project: &continuity_contract::ProjectId,
) -> DbResult<Vec<super::model::CopiedMember>> {
    use super::schema::roster_team_members as rt;
    let rows: Vec<db::MemberRow> = rt::table
        .filter(rt::project_id.eq(project.to_string()))
        .order(rt::employee_id.asc())
        .select(db::MemberRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|r| super::model::CopiedMember::try_from(r).map_err(Into::into))
        .collect()
}

/// The projects whose team `employee` is on.
pub fn projects_of(
    conn: &mut DbConnection,
    employee: &EmployeeId,
) -> DbResult<Vec<continuity_contract::ProjectId>> {
    use super::schema::roster_team_members as rt;
    let ids: Vec<String> = rt::table
        .filter(rt::employee_id.eq(employee.as_str().to_owned()))
        .select(rt::project_id)
        .load(conn)?;
    Ok(ids
        .iter()
        .filter_map(|i| continuity_contract::ProjectId::parse(i).ok())
        .collect())
}

/// Every department of the copy marked key.
pub fn key_departments(conn: &mut DbConnection) -> DbResult<Vec<super::model::CopiedDepartment>> {
    use super::schema::roster_departments as rd;
    let rows: Vec<db::DepartmentRow> = rd::table
        .filter(rd::is_key.eq(true))
        .order(rd::code.asc())
        .select(db::DepartmentRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|r| super::model::CopiedDepartment::try_from(r).map_err(Into::into))
        .collect()
}
