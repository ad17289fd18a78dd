//! Catch-up plans fixed by handovers, and the shares last published per person.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use continuity_contract::{DepartmentCode, EmployeeId, HandoverId, ProjectId};
use continuity_shared::db::{CorruptRow, DbConnection, DbResult};
use continuity_shared::with_backend;
use diesel::prelude::*;

use super::schema::{catchup_plans as cp, training_shares as sh};

/// A plan as stored: whose, for which handover, due when, and what was last reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlan {
    pub handover_id: HandoverId,
    pub project_id: ProjectId,
    pub employee_id: EmployeeId,
    pub department_code: DepartmentCode,
    pub due_date: NaiveDate,
    pub active: bool,
    pub reported: Option<(u32, u32)>,
    pub overdue_reported: bool,
}

pub(super) type PlanTuple = (
    String,
    String,
    String,
    String,
    NaiveDate,
    bool,
    Option<i32>,
    Option<i32>,
    bool,
);

const COLUMNS: (
    cp::handover_id,
    cp::project_id,
    cp::employee_id,
    cp::department_code,
    cp::due_date,
    cp::active,
    cp::reported_done,
    cp::reported_required,
    cp::overdue_reported,
) = (
    cp::handover_id,
    cp::project_id,
    cp::employee_id,
    cp::department_code,
    cp::due_date,
    cp::active,
    cp::reported_done,
    cp::reported_required,
    cp::overdue_reported,
);

pub(super) fn to_plan(t: PlanTuple) -> Result<StoredPlan, CorruptRow> {
    let bad = |c| CorruptRow::new("catchup_plans", &t.0, c);
    let reported = match (t.6, t.7) {
        (Some(d), Some(r)) => Some((
            u32::try_from(d).map_err(|_| bad("reported_done"))?,
            u32::try_from(r).map_err(|_| bad("reported_required"))?,
        )),
        _ => None,
    };
    Ok(StoredPlan {
        handover_id: HandoverId::parse(&t.0).map_err(|_| bad("handover_id"))?,
        project_id: ProjectId::parse(&t.1).map_err(|_| bad("project_id"))?,
        employee_id: EmployeeId::parse(&t.2).map_err(|_| bad("employee_id"))?,
        department_code: DepartmentCode::parse(&t.3).map_err(|_| bad("department_code"))?,
        due_date: t.4,
        active: t.5,
        reported,
        overdue_reported: t.8,
    })
}

fn load(rows: Vec<PlanTuple>) -> DbResult<Vec<StoredPlan>> {
    Ok(rows.into_iter().map(to_plan).collect::<Result<_, _>>()?)
}

pub fn find(conn: &mut DbConnection, id: &HandoverId) -> DbResult<Option<StoredPlan>> {
    let row: Option<PlanTuple> = cp::table
        .find(id.to_string())
        .select(COLUMNS)
        .get_result(conn)
        .optional()?;
    Ok(row.map(to_plan).transpose()?)
}

/// Creates or replaces the plan of a handover (a new successor replaces the old).
pub fn put(conn: &mut DbConnection, p: &StoredPlan, now: NaiveDateTime) -> DbResult<()> {
    let values = (
        cp::project_id.eq(p.project_id.to_string()),
        cp::employee_id.eq(p.employee_id.as_str().to_owned()),
        cp::department_code.eq(p.department_code.as_str().to_owned()),
        cp::due_date.eq(p.due_date),
        cp::active.eq(p.active),
        cp::reported_done.eq(p.reported.map(|r| r.0 as i32)),
        cp::reported_required.eq(p.reported.map(|r| r.1 as i32)),
        cp::overdue_reported.eq(p.overdue_reported),
        cp::updated_at.eq(now),
    );
    with_backend!(&mut *conn, |c| diesel::insert_into(cp::table)
        .values((
            cp::handover_id.eq(p.handover_id.to_string()),
            cp::created_at.eq(now),
            values.clone(),
        ))
        .on_conflict(cp::handover_id)
        .do_update()
        .set(values)
        .execute(c))?;
    Ok(())
}

/// The active plans of one person on one project (usually none or one).
pub fn active_of(
    conn: &mut DbConnection,
    project: &ProjectId,
    employee: &EmployeeId,
) -> DbResult<Vec<StoredPlan>> {
    let project = project.to_string();
    // On the backend's own connection: through the `MultiConnection` diesel would rebuild
    // its SQL text at every execution.
    load(with_backend!(conn, |c| cp::table
        .filter(cp::project_id.eq(&project))
        .filter(cp::employee_id.eq(employee.as_str()))
        .filter(cp::active.eq(true))
        .order((cp::due_date.asc(), cp::handover_id.asc()))
        .select(COLUMNS)
        .load(c))?)
}

/// Every active plan on a project, in the order [`active_of`] gives each person's.
pub fn active_on(conn: &mut DbConnection, project: &ProjectId) -> DbResult<Vec<StoredPlan>> {
    load(
        cp::table
            .filter(cp::project_id.eq(project.to_string()))
            .filter(cp::active.eq(true))
            .order((cp::due_date.asc(), cp::handover_id.asc()))
            .select(COLUMNS)
            .load(conn)?,
    )
}

/// Active plans due before `today` and not yet reported overdue.
pub fn past_due(conn: &mut DbConnection, today: NaiveDate) -> DbResult<Vec<StoredPlan>> {
    load(
        cp::table
            .filter(cp::active.eq(true))
            .filter(cp::overdue_reported.eq(false))
            .filter(cp::due_date.lt(today))
            .order(cp::handover_id.asc())
            .select(COLUMNS)
            .load(conn)?,
    )
}

/// The (done, required) last published in `training.progressed` for a person.
pub fn share(
    conn: &mut DbConnection,
    project: &ProjectId,
    employee: &EmployeeId,
) -> DbResult<Option<(u32, u32)>> {
    let row: Option<(i32, i32)> = sh::table
        .find((project.to_string(), employee.as_str()))
        .select((sh::sessions_done, sh::sessions_required))
        .get_result(conn)
        .optional()?;
    Ok(row.map(|(d, r)| (d.max(0) as u32, r.max(0) as u32)))
}

/// [`share`] of everyone on a project.
pub fn shares_on(
    conn: &mut DbConnection,
    project: &ProjectId,
) -> DbResult<HashMap<EmployeeId, (u32, u32)>> {
    let rows: Vec<(String, i32, i32)> = sh::table
        .filter(sh::project_id.eq(project.to_string()))
        .select((sh::employee_id, sh::sessions_done, sh::sessions_required))
        .load(conn)?;
    rows.into_iter()
        .map(|(e, d, r)| {
            let e = EmployeeId::parse(&e)
                .map_err(|_| CorruptRow::new("training_shares", &e, "employee_id"))?;
            Ok((e, (d.max(0) as u32, r.max(0) as u32)))
        })
        .collect()
}

pub fn put_share(
    conn: &mut DbConnection,
    project: &ProjectId,
    employee: &EmployeeId,
    (done, required): (u32, u32),
    now: NaiveDateTime,
) -> DbResult<()> {
    let values = (
        sh::sessions_done.eq(done as i32),
        sh::sessions_required.eq(required as i32),
        sh::updated_at.eq(now),
    );
    with_backend!(&mut *conn, |c| diesel::insert_into(sh::table)
        .values((
            sh::project_id.eq(project.to_string()),
            sh::employee_id.eq(employee.as_str()),
            values,
        ))
        .on_conflict((sh::project_id, sh::employee_id))
        .do_update()
        .set(values)
        .execute(c))?;
    Ok(())
}
