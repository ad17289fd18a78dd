//! Staffing's events applied to the copy. Every change is an idempotent upsert or delete,
//! so a replayed snapshot converges on staffing's state.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::schema::{
    roster_departments as rd, roster_employees as re, roster_projects as rp,
    roster_team_members as rt,
};
use crate::db::DbConnection;
use crate::error::ApiResult;
use crate::events::payloads::*;
use crate::events::{CloudEvent, EventData};
use crate::with_backend;

/// Applies `event` when it is a roster event; `Ok(false)` otherwise.
pub fn apply(conn: &mut DbConnection, event: &CloudEvent) -> ApiResult<bool> {
    let now = crate::clock::now().naive_utc();
    match event.event_type.as_str() {
        DepartmentUpserted::TYPE => department(conn, &event.payload()?, now)?,
        EmployeeUpserted::TYPE => employee(conn, &event.payload()?, now)?,
        EmployeeResigned::TYPE => {
            let e: EmployeeResigned = event.payload()?;
            diesel::update(re::table.find(&e.employee_id))
                .set((
                    re::status.eq("leaving"),
                    re::last_working_day.eq(Some(e.last_working_day)),
                    re::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        ResignationRescinded::TYPE => {
            let e: ResignationRescinded = event.payload()?;
            diesel::update(re::table.find(&e.employee_id))
                .set((
                    re::status.eq("active"),
                    re::last_working_day.eq(None::<chrono::NaiveDate>),
                    re::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        ProjectUpserted::TYPE => project(conn, &event.payload()?, now)?,
        TeamMemberAdded::TYPE => member(conn, &event.payload::<TeamMemberAdded>()?.0, now)?,
        TeamMemberRemoved::TYPE => {
            let m = event.payload::<TeamMemberRemoved>()?.0;
            diesel::delete(rt::table.find((&m.project_id, &m.employee_id))).execute(conn)?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

fn department(
    conn: &mut DbConnection,
    d: &DepartmentUpserted,
    now: NaiveDateTime,
) -> ApiResult<()> {
    let row = (
        rd::code.eq(&d.code),
        rd::name.eq(&d.name),
        rd::is_key.eq(d.key),
        rd::min_project_members.eq(d.min_project_members),
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

fn employee(conn: &mut DbConnection, e: &EmployeeUpserted, now: NaiveDateTime) -> ApiResult<()> {
    let row = (
        re::employee_id.eq(&e.employee_id),
        re::name.eq(&e.name),
        re::department_code.eq(&e.department_code),
        re::hire_date.eq(e.hire_date),
        re::status.eq(&e.status),
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

fn project(conn: &mut DbConnection, p: &ProjectUpserted, now: NaiveDateTime) -> ApiResult<()> {
    let row = (
        rp::project_id.eq(&p.project_id),
        rp::name.eq(&p.name),
        rp::status.eq(&p.status),
        rp::updated_at.eq(now),
    );
    with_backend!(&mut *conn, |c| diesel::insert_into(rp::table)
        .values(row)
        .on_conflict(rp::project_id)
        .do_update()
        .set((
            rp::name.eq(excluded(rp::name)),
            rp::status.eq(excluded(rp::status)),
            rp::updated_at.eq(excluded(rp::updated_at))
        ))
        .execute(c))?;
    Ok(())
}

fn member(conn: &mut DbConnection, m: &TeamMember, now: NaiveDateTime) -> ApiResult<()> {
    let row = (
        rt::project_id.eq(&m.project_id),
        rt::employee_id.eq(&m.employee_id),
        rt::department_code.eq(&m.department_code),
        rt::role.eq(&m.role),
        rt::backup_for.eq(&m.backup_for),
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
