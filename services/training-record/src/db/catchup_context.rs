//! What a catch-up read needs before the person's record, in one statement: whether the
//! project is in the roster copy, the person's department there, the project's curriculum
//! generation and the person's active plans on the project. These were four statements,
//! and on PostgreSQL each was a round trip: most of what a catch-up read waited for.

use continuity_contract::{DepartmentCode, EmployeeId, ProjectId};
use continuity_shared::db::{CorruptRow, DbConnection, DbResult, Statement};
use continuity_shared::with_backend;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Integer, Nullable, Text};

use super::plans::{self, StoredPlan};

/// What is known of a person and a project before their record is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// The project is in the roster copy.
    pub project_known: bool,
    /// The person's department in the roster copy, if the copy knows them.
    pub roster_department: Option<DepartmentCode>,
    /// The project's curriculum generation (0 before its first change).
    pub generation: i64,
    /// The person's active plans on the project, soonest due first.
    pub plans: Vec<StoredPlan>,
}

// The roster copy's tables are the shared crate's (`roster::schema`); they are named here
// so that the four reads share one statement, prepared once per connection (`Statement`:
// `sql_query` would be parsed again at every call). Each value is bound where it is used.
const PROJECT_KNOWN: &str = "SELECT EXISTS (SELECT 1 FROM roster_projects WHERE project_id = ";
const DEPARTMENT: &str =
    ") AS project_known, (SELECT department_code FROM roster_employees WHERE employee_id = ";
const GENERATION: &str =
    ") AS roster_department, (SELECT generation FROM curriculum_generations WHERE project_id = ";
const PLANS: &str = ") AS generation, cp.handover_id, cp.department_code, cp.due_date, \
    cp.reported_done, cp.reported_required, cp.overdue_reported \
    FROM (SELECT 1 AS one) AS one LEFT JOIN catchup_plans AS cp ON cp.project_id = ";
const PLAN_OWNER: &str = " AND cp.employee_id = ";
const ORDER: &str = " AND cp.active ORDER BY cp.due_date, cp.handover_id";

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Bool)]
    project_known: bool,
    #[diesel(sql_type = Nullable<Text>)]
    roster_department: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    generation: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    handover_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    department_code: Option<String>,
    #[diesel(sql_type = Nullable<Date>)]
    due_date: Option<chrono::NaiveDate>,
    #[diesel(sql_type = Nullable<Integer>)]
    reported_done: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    reported_required: Option<i32>,
    #[diesel(sql_type = Nullable<Bool>)]
    overdue_reported: Option<bool>,
}

/// The context of `employee`'s catch-up on `project`.
pub fn of(
    conn: &mut DbConnection,
    project: &ProjectId,
    employee: &EmployeeId,
) -> DbResult<Context> {
    let project_id = project.to_string();
    let rows: Vec<Row> = with_backend!(conn, |c| Statement::new(PROJECT_KNOWN)
        .bind::<Text, _>(&project_id)
        .sql(DEPARTMENT)
        .bind::<Text, _>(employee.as_str())
        .sql(GENERATION)
        .bind::<Text, _>(&project_id)
        .sql(PLANS)
        .bind::<Text, _>(&project_id)
        .sql(PLAN_OWNER)
        .bind::<Text, _>(employee.as_str())
        .sql(ORDER)
        .load(c))?;
    let mut context = Context {
        project_known: false,
        roster_department: None,
        generation: 0,
        plans: Vec::new(),
    };
    for row in rows {
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
            continue;
        };
        context.plans.push(plans::to_plan((
            handover_id,
            project_id.clone(),
            employee.as_str().to_owned(),
            department_code,
            due_date,
            true,
            row.reported_done,
            row.reported_required,
            overdue,
        ))?);
    }
    Ok(context)
}

#[cfg(test)]
#[path = "catchup_context/tests.rs"]
mod tests;
