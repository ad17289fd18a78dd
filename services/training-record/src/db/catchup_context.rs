//! A catch-up read's data in one statement: whether the project is in the roster copy, the
//! person's department there, the project's curriculum generation, the person's active
//! plans on the project, and what the person did (sessions attended, progress on
//! materials). These were six statements, and on PostgreSQL each was a round trip: most
//! of what a catch-up read waited for.

use continuity_contract::{DepartmentCode, EmployeeId, ProjectId};
use continuity_shared::db::{CorruptRow, DbConnection, DbResult, Statement};
use continuity_shared::with_backend;
use diesel::connection::DefaultLoadingMode;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Double, Integer, Nullable, Text};

use super::plans::{self, StoredPlan};
use super::records;
use crate::domain::curriculum::PersonRecord;

/// What is known of a person and a project for their catch-up plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    /// The project is in the roster copy.
    pub project_known: bool,
    /// The person's department in the roster copy, if the copy knows them.
    pub roster_department: Option<DepartmentCode>,
    /// The project's curriculum generation (0 before its first change).
    pub generation: i64,
    /// The person's active plans on the project, soonest due first.
    pub plans: Vec<StoredPlan>,
    /// What the person did, on every project (as [`records::of_person`] reads it).
    pub record: PersonRecord,
}

// The roster copy's tables are the shared crate's (`roster::schema`); they are named here
// so that the reads share one statement, prepared once per connection (`Statement`:
// `sql_query` would be parsed again at every call). Each value is bound where it is used.
// Three parts, told apart by `part`: the context with the plans (a row of nulls beside it
// without one), the sessions attended, the progress on materials. The first part's casts
// give the union its column types on PostgreSQL.
const PROJECT_KNOWN: &str =
    "SELECT 0 AS part, EXISTS (SELECT 1 FROM roster_projects WHERE project_id = ";
const DEPARTMENT: &str =
    ") AS project_known, (SELECT department_code FROM roster_employees WHERE employee_id = ";
const GENERATION: &str =
    ") AS roster_department, (SELECT generation FROM curriculum_generations WHERE project_id = ";
const PLANS: &str = ") AS generation, cp.handover_id, cp.department_code, cp.due_date, \
    cp.reported_done, cp.reported_required, cp.overdue_reported, \
    CAST(NULL AS TEXT) AS record_id, CAST(NULL AS DOUBLE PRECISION) AS watched_seconds, \
    CAST(NULL AS BOOLEAN) AS record_done \
    FROM (SELECT 1 AS one) AS one LEFT JOIN catchup_plans AS cp ON cp.project_id = ";
const PLAN_OWNER: &str = " AND cp.employee_id = ";
const ATTENDED: &str = " AND cp.active \
    UNION ALL SELECT 1, FALSE, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
    session_id, 0.0, attended FROM attendance WHERE employee_id = ";
const USED: &str = " AND attended = TRUE \
    UNION ALL SELECT 2, FALSE, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
    material_id, watched_seconds, done FROM material_progress WHERE employee_id = ";

/// The parts of the statement's rows.
const CONTEXT: i32 = 0;
const ATTENDANCE: i32 = 1;

/// The SQL types of [`Row`], in its order.
type RowType = (
    Integer,
    Bool,
    Nullable<Text>,
    Nullable<BigInt>,
    Nullable<Text>,
    Nullable<Text>,
    Nullable<Date>,
    Nullable<Integer>,
    Nullable<Integer>,
    Nullable<Bool>,
    Nullable<Text>,
    Nullable<Double>,
    Nullable<Bool>,
);

// Read by position: by name, every field of every row was looked up among the columns.
#[derive(Queryable)]
struct Row {
    part: i32,
    project_known: bool,
    roster_department: Option<String>,
    generation: Option<i64>,
    handover_id: Option<String>,
    department_code: Option<String>,
    due_date: Option<chrono::NaiveDate>,
    reported_done: Option<i32>,
    reported_required: Option<i32>,
    overdue_reported: Option<bool>,
    record_id: Option<String>,
    watched_seconds: Option<f64>,
    record_done: Option<bool>,
}

/// The context of `employee`'s catch-up on `project`.
pub fn of(
    conn: &mut DbConnection,
    project: &ProjectId,
    employee: &EmployeeId,
) -> DbResult<Context> {
    let project_id = project.to_string();
    let mut context = Context {
        project_known: false,
        roster_department: None,
        generation: 0,
        plans: Vec::new(),
        record: PersonRecord::default(),
    };
    // Each row is taken in as it is read, without a list of rows in between.
    with_backend!(conn, |c| {
        let rows = Statement::new(PROJECT_KNOWN)
            .bind::<Text, _>(&project_id)
            .sql(DEPARTMENT)
            .bind::<Text, _>(employee.as_str())
            .sql(GENERATION)
            .bind::<Text, _>(&project_id)
            .sql(PLANS)
            .bind::<Text, _>(&project_id)
            .sql(PLAN_OWNER)
            .bind::<Text, _>(employee.as_str())
            .sql(ATTENDED)
            .bind::<Text, _>(employee.as_str())
            .sql(USED)
            .bind::<Text, _>(employee.as_str())
            .typed::<RowType>()
            .load_iter::<Row, DefaultLoadingMode>(c)?;
        for row in rows {
            take_in(&mut context, row?, &project_id, employee)?;
        }
    });
    // Sorted here: an ORDER BY over the union made SQLite sort every part's rows.
    context
        .plans
        .sort_by_cached_key(|p| (p.due_date, p.handover_id.to_string()));
    Ok(context)
}

/// Adds one row of the statement to `context`.
fn take_in(
    context: &mut Context,
    row: Row,
    project_id: &str,
    employee: &EmployeeId,
) -> DbResult<()> {
    if row.part != CONTEXT {
        let (Some(id), Some(seconds), Some(done)) =
            (row.record_id, row.watched_seconds, row.record_done)
        else {
            return Err(CorruptRow::new("material_progress", employee.as_str(), "record").into());
        };
        return records::add_to(
            &mut context.record,
            (row.part == ATTENDANCE, id, seconds, done),
        );
    }
    context.project_known = row.project_known;
    context.generation = row.generation.unwrap_or(0);
    context.roster_department = row
        .roster_department
        .map(|d| {
            DepartmentCode::parse(&d).map_err(|_| {
                CorruptRow::new("roster_employees", employee.as_str(), "department_code")
            })
        })
        .transpose()?;
    // Without an active plan the join gives one row of nulls.
    let (Some(handover_id), Some(department_code), Some(due_date), Some(overdue)) = (
        row.handover_id,
        row.department_code,
        row.due_date,
        row.overdue_reported,
    ) else {
        return Ok(());
    };
    context.plans.push(plans::to_plan((
        handover_id,
        project_id.to_owned(),
        employee.as_str().to_owned(),
        department_code,
        due_date,
        true,
        row.reported_done,
        row.reported_required,
        overdue,
    ))?);
    Ok(())
}

#[cfg(test)]
#[path = "catchup_context/tests.rs"]
mod tests;
