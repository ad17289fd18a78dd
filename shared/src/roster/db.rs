//! The copy's rows and queries: the only place the roster copy touches diesel.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::model::{CopiedDepartment, CopiedEmployee, CopiedMember, CopiedProject};
use super::schema::{
    roster_departments as rd, roster_employees as re, roster_projects as rp,
    roster_team_members as rt,
};
use crate::db::{DbConnection, DbResult};
use crate::pagination::PageRequest;
use crate::with_backend;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rd)]
pub(crate) struct DepartmentRow {
    pub code: String,
    pub name: String,
    pub is_key: bool,
    pub min_project_members: i32,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = re)]
pub(crate) struct EmployeeRow {
    pub employee_id: String,
    pub name: String,
    pub department_code: String,
    pub hire_date: Option<NaiveDate>,
    pub status: String,
    pub last_working_day: Option<NaiveDate>,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rp)]
pub(crate) struct ProjectRow {
    pub project_id: String,
    pub name: String,
    pub status: String,
    pub updated_at: NaiveDateTime,
    pub planned_start: Option<NaiveDate>,
    pub planned_go_live: Option<NaiveDate>,
    pub stabilization_months: i32,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rt)]
pub(crate) struct MemberRow {
    pub project_id: String,
    pub employee_id: String,
    pub department_code: String,
    pub role: String,
    pub backup_for: Option<String>,
    pub updated_at: NaiveDateTime,
}

pub(crate) fn department(conn: &mut DbConnection, code: &str) -> DbResult<Option<DepartmentRow>> {
    Ok(rd::table
        .find(code)
        .select(DepartmentRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// On the backend's own connection, as every read on a hot path: through the
/// `MultiConnection` diesel rebuilds the statement's SQL text at every execution, even
/// when the prepared statement is cached (most of what a one-row read costs).
pub(crate) fn employee(conn: &mut DbConnection, id: &str) -> DbResult<Option<EmployeeRow>> {
    Ok(with_backend!(conn, |c| re::table
        .find(id)
        .select(EmployeeRow::as_select())
        .get_result(c)
        .optional())?)
}

pub(crate) fn project(conn: &mut DbConnection, id: &str) -> DbResult<Option<ProjectRow>> {
    Ok(rp::table
        .find(id)
        .select(ProjectRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub(crate) fn member(
    conn: &mut DbConnection,
    project: &str,
    employee: &str,
) -> DbResult<Option<MemberRow>> {
    Ok(rt::table
        .find((project, employee))
        .select(MemberRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub(crate) fn upsert_department(
    conn: &mut DbConnection,
    d: &CopiedDepartment,
    now: NaiveDateTime,
) -> DbResult<()> {
    let row = (
        rd::code.eq(d.code.as_str()),
        rd::name.eq(d.name.as_str()),
        rd::is_key.eq(d.key),
        rd::min_project_members.eq(i32::try_from(d.min_project_members).unwrap_or(i32::MAX)),
        rd::updated_at.eq(now),
    );
    with_backend!(&mut *conn, |c| diesel::insert_into(rd::table)
        .values(row)
        .on_conflict(rd::code)
        .do_update()
        .set((
            rd::name.eq(excluded(rd::name)),
            rd::is_key.eq(excluded(rd::is_key)),
            rd::min_project_members.eq(excluded(rd::min_project_members)),
            rd::updated_at.eq(excluded(rd::updated_at)),
        ))
        .execute(c))?;
    Ok(())
}

pub(crate) fn upsert_employee(
    conn: &mut DbConnection,
    e: &CopiedEmployee,
    now: NaiveDateTime,
) -> DbResult<()> {
    let row = (
        re::employee_id.eq(e.employee_id.as_str()),
        re::name.eq(e.name.as_str()),
        re::department_code.eq(e.department_code.as_str()),
        re::hire_date.eq(e.hire_date),
        re::status.eq(e.status.as_str()),
        re::last_working_day.eq(e.last_working_day),
        re::updated_at.eq(now),
    );
    with_backend!(&mut *conn, |c| diesel::insert_into(re::table)
        .values(row)
        .on_conflict(re::employee_id)
        .do_update()
        .set((
            re::name.eq(excluded(re::name)),
            re::department_code.eq(excluded(re::department_code)),
            re::hire_date.eq(excluded(re::hire_date)),
            re::status.eq(excluded(re::status)),
            re::last_working_day.eq(excluded(re::last_working_day)),
            re::updated_at.eq(excluded(re::updated_at)),
        ))
        .execute(c))?;
    Ok(())
}

pub(crate) fn upsert_project(
    conn: &mut DbConnection,
    p: &CopiedProject,
    now: NaiveDateTime,
) -> DbResult<()> {
    let id = p.project_id.to_string();
    let row = (
        rp::project_id.eq(&id),
        rp::name.eq(p.name.as_str()),
        rp::status.eq(p.status.as_str()),
        rp::updated_at.eq(now),
        rp::planned_start.eq(p.planned_start),
        rp::planned_go_live.eq(p.planned_go_live),
        rp::stabilization_months.eq(i32::try_from(p.stabilization_months).unwrap_or(i32::MAX)),
    );
    with_backend!(&mut *conn, |c| diesel::insert_into(rp::table)
        .values(row)
        .on_conflict(rp::project_id)
        .do_update()
        .set((
            rp::name.eq(excluded(rp::name)),
            rp::status.eq(excluded(rp::status)),
            rp::updated_at.eq(excluded(rp::updated_at)),
            rp::planned_start.eq(excluded(rp::planned_start)),
            rp::planned_go_live.eq(excluded(rp::planned_go_live)),
            rp::stabilization_months.eq(excluded(rp::stabilization_months)),
        ))
        .execute(c))?;
    Ok(())
}

pub(crate) fn upsert_member(
    conn: &mut DbConnection,
    m: &CopiedMember,
    now: NaiveDateTime,
) -> DbResult<()> {
    let (project, backup) = (
        m.project_id.to_string(),
        m.backup_for.as_ref().map(|b| b.to_string()),
    );
    let row = (
        rt::project_id.eq(&project),
        rt::employee_id.eq(m.employee_id.as_str()),
        rt::department_code.eq(m.department_code.as_str()),
        rt::role.eq(m.role.as_str()),
        rt::backup_for.eq(&backup),
        rt::updated_at.eq(now),
    );
    with_backend!(&mut *conn, |c| diesel::insert_into(rt::table)
        .values(row)
        .on_conflict((rt::project_id, rt::employee_id))
        .do_update()
        .set((
            rt::department_code.eq(excluded(rt::department_code)),
            rt::role.eq(excluded(rt::role)),
            rt::backup_for.eq(excluded(rt::backup_for)),
            rt::updated_at.eq(excluded(rt::updated_at)),
        ))
        .execute(c))?;
    Ok(())
}

pub(crate) fn delete_member(
    conn: &mut DbConnection,
    project: &str,
    employee: &str,
) -> DbResult<()> {
    diesel::delete(rt::table.find((project, employee))).execute(conn)?;
    Ok(())
}

pub(crate) fn list_departments(
    conn: &mut DbConnection,
    p: &PageRequest,
) -> DbResult<Vec<DepartmentRow>> {
    let mut q = rd::table
        .select(DepartmentRow::as_select())
        .order(rd::code.asc())
        .limit(p.fetch())
        .into_boxed();
    if let Some(a) = &p.after {
        q = q.filter(rd::code.gt(a.clone()));
    }
    Ok(q.load(conn)?)
}

pub(crate) fn list_employees(
    conn: &mut DbConnection,
    department: Option<&str>,
    p: &PageRequest,
) -> DbResult<Vec<EmployeeRow>> {
    let mut q = re::table
        .select(EmployeeRow::as_select())
        .order(re::employee_id.asc())
        .limit(p.fetch())
        .into_boxed();
    if let Some(a) = &p.after {
        q = q.filter(re::employee_id.gt(a.clone()));
    }
    if let Some(d) = department {
        q = q.filter(re::department_code.eq(d.to_owned()));
    }
    Ok(q.load(conn)?)
}

pub(crate) fn list_projects(conn: &mut DbConnection, p: &PageRequest) -> DbResult<Vec<ProjectRow>> {
    let mut q = rp::table
        .select(ProjectRow::as_select())
        .order(rp::project_id.asc())
        .limit(p.fetch())
        .into_boxed();
    if let Some(a) = &p.after {
        q = q.filter(rp::project_id.gt(a.clone()));
    }
    Ok(q.load(conn)?)
}

pub(crate) fn list_members(
    conn: &mut DbConnection,
    project: &str,
    p: &PageRequest,
) -> DbResult<Vec<MemberRow>> {
    let mut q = rt::table
        .filter(rt::project_id.eq(project.to_owned()))
        .select(MemberRow::as_select())
        .order(rt::employee_id.asc())
        .limit(p.fetch())
        .into_boxed();
    if let Some(a) = &p.after {
        q = q.filter(rt::employee_id.gt(a.clone()));
    }
    Ok(q.load(conn)?)
}
