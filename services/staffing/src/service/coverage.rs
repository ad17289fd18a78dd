//! Coverage read on demand, and rechecked after every change that can move it (and daily
//! for the changes time brings), publishing `coverage.changed` once per change.

use chrono::{DateTime, NaiveDate, Utc};
use continuity_contract::ProjectId;
use continuity_shared::db::{Db, DbConnection};
use continuity_shared::events::outbox;

use super::errors::{StaffingError, StaffingResult};
use super::events;
use crate::db::{coverage as states, coverage_generations, projects, team};
use crate::domain::coverage::{self, Coverage};
use crate::domain::project::Project;
use crate::settings::Rules;

/// The project's coverage on `on` (404 for an unknown project).
pub async fn get(db: &Db, id: ProjectId, on: NaiveDate, rules: Rules) -> StaffingResult<Coverage> {
    db.read(move |conn| {
        let project = projects::find(conn, &id)?.ok_or(StaffingError::ProjectNotFound(id))?;
        compute(conn, &project.value, on, &rules)
    })
    .await
}

/// The project's coverage generation now (see [`recheck`]).
pub async fn generation(db: &Db, id: ProjectId) -> StaffingResult<i64> {
    Ok(db
        .read(move |conn| coverage_generations::of(conn, &id))
        .await?)
}

/// The project's coverage on `on` and the generation it was computed at, read together.
pub async fn get_with_generation(
    db: &Db,
    id: ProjectId,
    on: NaiveDate,
    rules: Rules,
) -> StaffingResult<(i64, Coverage)> {
    db.read(move |conn| {
        let generation = coverage_generations::of(conn, &id)?;
        let project = projects::find(conn, &id)?.ok_or(StaffingError::ProjectNotFound(id))?;
        Ok((generation, compute(conn, &project.value, on, &rules)?))
    })
    .await
}

/// The coverage of `project` on `on`, from what is stored now.
pub fn compute(
    conn: &mut DbConnection,
    project: &Project,
    on: NaiveDate,
    rules: &Rules,
) -> StaffingResult<Coverage> {
    let needs = states::needs(conn)?;
    let members = team::facts(conn, &project.project_id)?;
    Ok(coverage::coverage(
        project,
        &needs,
        &members,
        on,
        &rules.coverage,
    ))
}

/// Which projects to recheck.
pub enum Scope<'a> {
    All,
    Projects(&'a [ProjectId]),
}

/// Compares each active project's coverage today with the status last published and
/// publishes `coverage.changed` for every department whose status moved (or appeared).
/// Returns how many changes were published. Every change that can move coverage calls it
/// in its transaction, so it also bumps the projects' coverage generations (what cached
/// coverage is checked against).
pub fn recheck(
    conn: &mut DbConnection,
    scope: Scope,
    rules: &Rules,
    at: DateTime<Utc>,
) -> StaffingResult<usize> {
    let today = rules.today(at);
    let projects = match scope {
        Scope::All => {
            coverage_generations::bump_all(conn)?;
            projects::active(conn)?
        }
        Scope::Projects(ids) => {
            coverage_generations::bump(conn, ids)?;
            let mut found = Vec::new();
            for id in ids {
                found.extend(projects::find(conn, id)?.filter(|p| p.value.is_active()));
            }
            found
        }
    };
    let mut published = 0;
    for project in projects {
        let project = project.value;
        let now = compute(conn, &project, today, rules)?;
        let before = states::states(conn, &project.project_id)?;
        let mut events = Vec::new();
        for d in &now.departments {
            let old = before
                .iter()
                .find(|s| s.department_code == d.code)
                .map(|s| s.status);
            if old == Some(d.status) {
                continue;
            }
            events.push(events::coverage_changed(
                project.project_id,
                old,
                d,
                today,
                at,
            )?);
            states::save(
                conn,
                &project.project_id,
                &d.code,
                d.status,
                (d.required, d.effective),
                today,
            )?;
        }
        for gone in before
            .iter()
            .filter(|s| now.department(&s.department_code).is_none())
        {
            states::forget(conn, &project.project_id, &gone.department_code)?;
        }
        published += events.len();
        outbox::publish(conn, &events)?;
    }
    Ok(published)
}
