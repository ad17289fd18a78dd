//! After a change to a session or its materials, in the change's transaction: everyone it
//! reaches (the audience, before and after, and everyone with a plan on the project) gets
//! the reports a change to their plan makes. What the plans are computed from (the
//! curriculum, the people's departments, attendance, progress, last reported counts) is
//! read once for all of them, not once per person: a large audience made creating a
//! session or a material slow.

use std::collections::HashMap;

use continuity_contract::{DepartmentCode, EmployeeId, ProjectId};
use continuity_shared::audit::AuditContext;
use continuity_shared::db::DbConnection;
use continuity_shared::roster::read as roster;

use super::catchup;
use super::curriculum;
use super::errors::TrainingResult;
use crate::db::plans::{self, StoredPlan};
use crate::db::records;
use crate::domain::curriculum::plan_for;
use crate::settings::Rules;

/// Refreshes everyone of `departments` and everyone with an active plan on `project`, in
/// the order of their ids. (Each person's reports write only their own rows, so reading
/// everyone's first gives what reading each in turn would.)
pub fn refresh_in(
    conn: &mut DbConnection,
    project: &ProjectId,
    departments: &[DepartmentCode],
    ctx: &AuditContext,
    _rules: &Rules,
) -> TrainingResult<()> {
    let mut department: HashMap<EmployeeId, DepartmentCode> =
        roster::employees_in(conn, departments)?
            .into_iter()
            .map(|e| (e.employee_id, e.department_code))
            .collect();
    let mut fixed: HashMap<EmployeeId, Vec<StoredPlan>> = HashMap::new();
    for p in plans::active_on(conn, project)? {
        fixed.entry(p.employee_id.clone()).or_default().push(p);
    }
    let mut people: Vec<EmployeeId> = department.keys().chain(fixed.keys()).cloned().collect();
    people.sort();
    people.dedup();
    let c = curriculum::load_in(conn, project)?;
    let mut done = records::of_project(conn, project)?;
    let last = plans::shares_on(conn, project)?;
    for e in people {
        let held = fixed.remove(&e).unwrap_or_default();
        // Outside the audience (a successor of another department): read on its own.
        let measured_for = match department.remove(&e) {
            Some(d) => Some(d),
            None => catchup::department_of(conn, &e, &held)?,
        };
        let Some(d) = measured_for else {
            continue;
        };
        let plan = plan_for(&c, &d, &done.remove(&e).unwrap_or_default());
        let counts = (plan.sessions_done, plan.sessions_required);
        catchup::report_in(conn, project, &e, held, counts, last.get(&e).copied(), ctx)?;
    }
    Ok(())
}
