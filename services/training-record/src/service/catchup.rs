//! Catch-up plans: computed from sessions, attendance and progress; and the reports that
//! follow every change (`training.progressed`, `handover.progressed`, `catchup.overdue`).

use chrono::{DateTime, NaiveDate, Utc};
use continuity_contract::payloads::{CatchupOverdue, HandoverProgressed, TrainingProgressed};
use continuity_contract::{DepartmentCode, EmployeeId, HandoverId, HandoverPart, ProjectId};
use continuity_shared::audit::AuditContext;
use continuity_shared::db::{Db, DbConnection};
use continuity_shared::events::{CloudEvent, outbox};
use continuity_shared::roster::read as roster;

use super::SOURCE;
use super::curriculum::{self, CurriculumCache};
use super::errors::{TrainingError, TrainingResult};
use crate::db::catchup_context;
use crate::db::plans::{self, StoredPlan};
use crate::db::records;
use crate::domain::catchup::{self, Plan};
use crate::domain::curriculum::{Curriculum, plan_for};

/// A person's plan on a project, with the due date a handover set (if any).
#[derive(Debug, Clone)]
pub struct PersonPlan {
    pub plan: Plan,
    pub department_code: DepartmentCode,
    pub due_date: Option<NaiveDate>,
    pub handover_id: Option<HandoverId>,
}

/// The person's plan on `project` for someone of `department`, from the curriculum as
/// stored now (inside a write, where a replica's copy cannot be trusted to be current).
pub fn plan_in(
    conn: &mut DbConnection,
    project: &ProjectId,
    employee: &EmployeeId,
    department: &DepartmentCode,
) -> TrainingResult<Plan> {
    let c = curriculum::load_in(conn, project)?;
    plan_with(conn, &c, employee, department)
}

/// The person's plan from a curriculum already read: only their own record is read.
fn plan_with(
    conn: &mut DbConnection,
    c: &Curriculum,
    employee: &EmployeeId,
    department: &DepartmentCode,
) -> TrainingResult<Plan> {
    let record = records::of_person(conn, employee)?;
    Ok(plan_for(c, department, &record))
}

/// The department a person's training is measured for: the roster's, or the one of the
/// handover that made them a successor.
pub(super) fn department_of(
    conn: &mut DbConnection,
    employee: &EmployeeId,
    plans: &[StoredPlan],
) -> TrainingResult<Option<DepartmentCode>> {
    if let Some(e) = roster::employee(conn, employee)? {
        return Ok(Some(e.department_code));
    }
    Ok(plans.first().map(|p| p.department_code.clone()))
}

/// The plan the API shows: 404 for someone the roster copy does not know and who has
/// no plan from a handover. The curriculum comes from this replica's copy while it holds.
pub async fn get(
    db: &Db,
    cache: &CurriculumCache,
    project: ProjectId,
    employee: EmployeeId,
) -> TrainingResult<PersonPlan> {
    let cache = cache.clone();
    db.read(move |conn| {
        let known = catchup_context::of(conn, &project, &employee)?;
        if !known.project_known {
            return Err(TrainingError::ProjectNotFound(project));
        }
        let fixed = known.plans;
        let department = known
            .roster_department
            .or_else(|| fixed.first().map(|p| p.department_code.clone()))
            .ok_or_else(|| TrainingError::EmployeeNotFound(employee.clone()))?;
        let c = curriculum::cached_at(conn, &cache, &project, known.generation)?;
        let plan = plan_for(&c, &department, &known.record);
        let first = fixed.first();
        Ok(PersonPlan {
            plan,
            department_code: department,
            due_date: first.map(|p| p.due_date),
            handover_id: first.map(|p| p.handover_id),
        })
    })
    .await
}

/// After a change that may move a person's share: publishes `training.progressed` when
/// their counts changed, and `handover.progressed` for each active plan whose counts
/// differ from the last report.
pub fn refresh_in(
    conn: &mut DbConnection,
    project: &ProjectId,
    employee: &EmployeeId,
    ctx: &AuditContext,
) -> TrainingResult<()> {
    let c = curriculum::load_in(conn, project)?;
    refresh_with(conn, &c, project, employee, ctx)
}

/// [`refresh_in`] with the project's curriculum already read in this transaction.
fn refresh_with(
    conn: &mut DbConnection,
    c: &Curriculum,
    project: &ProjectId,
    employee: &EmployeeId,
    ctx: &AuditContext,
) -> TrainingResult<()> {
    let fixed = plans::active_of(conn, project, employee)?;
    let Some(department) = department_of(conn, employee, &fixed)? else {
        return Ok(());
    };
    let plan = plan_with(conn, c, employee, &department)?;
    let counts = (plan.sessions_done, plan.sessions_required);
    let last = plans::share(conn, project, employee)?;
    report_in(conn, project, employee, fixed, counts, last, ctx)
}

/// Publishes what changed of a person's (done, required) `counts`: `training.progressed`
/// when they differ from the `last` published, and `handover.progressed` for each of
/// their active plans (`fixed`) whose last report differs.
pub(super) fn report_in(
    conn: &mut DbConnection,
    project: &ProjectId,
    employee: &EmployeeId,
    fixed: Vec<StoredPlan>,
    counts: (u32, u32),
    last: Option<(u32, u32)>,
    ctx: &AuditContext,
) -> TrainingResult<()> {
    let mut events = Vec::new();
    if last != Some(counts) && !(last.is_none() && counts == (0, 0)) {
        events.push(CloudEvent::new(
            SOURCE,
            &TrainingProgressed {
                project_id: *project,
                employee_id: employee.clone(),
                sessions_done: counts.0,
                sessions_required: counts.1,
            },
            ctx.at,
        )?);
        plans::put_share(conn, project, employee, counts, ctx.at.naive_utc())?;
    }
    for mut p in fixed {
        if p.reported == Some(counts) {
            continue;
        }
        events.push(handover_progressed(&p, counts, ctx.at)?);
        p.reported = Some(counts);
        plans::put(conn, &p, ctx.at.naive_utc())?;
    }
    if !events.is_empty() {
        outbox::publish(conn, &events)?;
    }
    Ok(())
}

fn handover_progressed(
    p: &StoredPlan,
    (done, required): (u32, u32),
    at: DateTime<Utc>,
) -> TrainingResult<CloudEvent> {
    Ok(CloudEvent::new(
        SOURCE,
        &HandoverProgressed {
            handover_id: p.handover_id,
            part: HandoverPart::Training,
            done,
            required,
        },
        at,
    )?)
}

/// The daily check: each active plan past its due date with sessions left is reported
/// overdue, once.
pub fn report_overdue_in(
    conn: &mut DbConnection,
    today: NaiveDate,
    at: DateTime<Utc>,
) -> TrainingResult<usize> {
    let mut published = 0;
    for mut p in plans::past_due(conn, today)? {
        let plan = plan_in(conn, &p.project_id, &p.employee_id, &p.department_code)?;
        let left = plan.items.len() as u32;
        if !catchup::is_overdue(p.due_date, today, left) {
            continue;
        }
        let event = CloudEvent::new(
            SOURCE,
            &CatchupOverdue {
                project_id: p.project_id,
                employee_id: p.employee_id.clone(),
                handover_id: Some(p.handover_id),
                due_date: p.due_date,
                sessions_left: left,
            },
            at,
        )?;
        outbox::publish(conn, &[event])?;
        p.overdue_reported = true;
        plans::put(conn, &p, at.naive_utc())?;
        published += 1;
    }
    Ok(published)
}
