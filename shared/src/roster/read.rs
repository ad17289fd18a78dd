//! What a consuming service reads of its roster copy for its own rules: one employee, one
//! department, one project, the people of some departments. Values, never rows.

use continuity_contract::{DepartmentCode, EmployeeId, EmployeeStatus, ProjectId};
use diesel::prelude::*;

use super::db::{self, EmployeeRow};
use super::model::{CopiedDepartment, CopiedEmployee, CopiedProject};
use super::schema::{roster_employees as re, roster_projects as rp};
use crate::db::{DbConnection, DbResult};

/// The copied employee `id`, if the producer has described them.
pub fn employee(conn: &mut DbConnection, id: &EmployeeId) -> DbResult<Option<CopiedEmployee>> {
    let row = db::employee(conn, id.as_str())?;
    Ok(row.map(CopiedEmployee::try_from).transpose()?)
}

/// The copied department `code`, if copied.
pub fn department(
    conn: &mut DbConnection,
    code: &DepartmentCode,
) -> DbResult<Option<CopiedDepartment>> {
    let row = db::department(conn, code.as_str())?;
    Ok(row.map(CopiedDepartment::try_from).transpose()?)
}

/// The copied project `id`, if the producer has published it.
pub fn project(conn: &mut DbConnection, id: &ProjectId) -> DbResult<Option<CopiedProject>> {
    let row = db::project(conn, &id.to_string())?;
    Ok(row.map(CopiedProject::try_from).transpose()?)
}

/// Whether the project is in the copy (cheaper than reading it).
pub fn project_exists(conn: &mut DbConnection, id: &ProjectId) -> DbResult<bool> {
    let id = id.to_string();
    // On the backend's own connection: see `db::employee`.
    let n: i64 = crate::with_backend!(conn, |c| rp::table
        .filter(rp::project_id.eq(&id))
        .count()
        .get_result(c))?;
    Ok(n > 0)
}

/// Every copied employee of `departments` (any status), by id.
pub fn employees_in(
    conn: &mut DbConnection,
    departments: &[DepartmentCode],
) -> DbResult<Vec<CopiedEmployee>> {
    in_departments(conn, departments, None)
}

/// Every `active` employee of `departments`, by id.
pub fn active_employees_in(
    conn: &mut DbConnection,
    departments: &[DepartmentCode],
) -> DbResult<Vec<CopiedEmployee>> {
    in_departments(conn, departments, Some(EmployeeStatus::Active))
}

fn in_departments(
    conn: &mut DbConnection,
    departments: &[DepartmentCode],
    status: Option<EmployeeStatus>,
) -> DbResult<Vec<CopiedEmployee>> {
    let codes: Vec<&str> = departments.iter().map(|d| d.as_str()).collect();
    let mut out = Vec::new();
    // Bounded parameter lists: SQLite allows at most 32,766 per statement.
    for chunk in codes.chunks(500) {
        let mut query = re::table
            .filter(re::department_code.eq_any(chunk))
            .select(EmployeeRow::as_select())
            .into_boxed();
        if let Some(status) = status {
            query = query.filter(re::status.eq(status.as_str()));
        }
        for r in query.load(conn)? {
            out.push(CopiedEmployee::try_from(r)?);
        }
    }
    out.sort_by(|a, b| a.employee_id.cmp(&b.employee_id));
    Ok(out)
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

/// Every copied project that is not closed.
pub fn open_projects(conn: &mut DbConnection) -> DbResult<Vec<ProjectId>> {
    let ids: Vec<String> = rp::table
        .filter(rp::status.ne(continuity_contract::ProjectStatus::Closed.as_str()))
        .select(rp::project_id)
        .load(conn)?;
    Ok(ids
        .iter()
        .filter_map(|i| ProjectId::parse(i).ok())
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
