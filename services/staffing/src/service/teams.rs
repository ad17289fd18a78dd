//! Project teams: placing people on a project for a department and role, and removing them.

use continuity_contract::{DepartmentCode, EmployeeId, EmployeeStatus, ProjectId, TeamRole};
use continuity_shared::audit::{self, AuditContext, Change};
use continuity_shared::db::{Db, DbConnection};
use continuity_shared::etag::IfMatch;
use continuity_shared::events::outbox;
use continuity_shared::pagination::PageRequest;
use continuity_shared::{FieldError, text};

use super::coverage::{self, Scope};
use super::errors::{StaffingError, StaffingResult};
use super::{Put, events};
use crate::db::{departments, employees, projects, team};
use crate::domain::Versioned;
use crate::domain::team::TeamMember;
use crate::settings::Rules;

/// The audit trail's name for team places.
pub const ENTITY: &str = "team_member";

fn audit_id(m: &TeamMember) -> String {
    format!("{}/{}", m.project_id, m.employee_id)
}

/// What a client asks of a place on the team.
#[derive(Debug, Clone)]
pub struct Place {
    /// The employee's own department when none is given.
    pub department_code: Option<DepartmentCode>,
    pub role: TeamRole,
    pub backup_for: Option<EmployeeId>,
}

/// Puts an employee on a project team (or changes their place), honouring `If-Match`.
pub async fn put_member(
    db: &Db,
    project: ProjectId,
    employee: EmployeeId,
    place: Place,
    if_match: IfMatch,
    ctx: AuditContext,
    rules: Rules,
) -> StaffingResult<(Versioned<TeamMember>, Put)> {
    db.write(move |conn| {
        projects::find(conn, &project)?.ok_or(StaffingError::ProjectNotFound(project))?;
        let person = employees::find(conn, employee.as_str())?
            .ok_or_else(|| StaffingError::EmployeeNotFound(employee.clone()))?;
        let mut errors = Vec::new();
        if person.value.status == EmployeeStatus::Left {
            errors.push(FieldError::new(
                "employee_id",
                text!("has left the company", "已离职"),
            ));
        }
        let department = place
            .department_code
            .unwrap_or_else(|| person.value.department_code.clone());
        if departments::find(conn, department.as_str())?.is_none() {
            errors.push(FieldError::new(
                "department_code",
                text!(
                    "department `{department}` does not exist",
                    "部门 `{department}` 不存在"
                ),
            ));
        }
        if let Err(e) = TeamMember::check_backup(&employee, place.backup_for.as_ref()) {
            errors.push(e);
        } else if let Some(b) = &place.backup_for
            && team::find(conn, &project, b)?.is_none()
        {
            errors.push(FieldError::new(
                "backup_for",
                text!("`{b}` is not on the project team", "`{b}` 不在项目团队中"),
            ));
        }
        if !errors.is_empty() {
            return Err(StaffingError::Invalid(errors));
        }
        let existing = team::find(conn, &project, &employee)?;
        if_match.check(existing.as_ref().map(|m| m.version))?;
        place_in(
            conn,
            existing,
            project,
            employee,
            department,
            place.role,
            place.backup_for,
            &ctx,
            &rules,
        )
    })
    .await
}

/// Writes a place on the team, publishing, auditing and rechecking coverage; the caller
/// has checked the employee, department and backup. `existing` is the current place.
#[allow(clippy::too_many_arguments)] // the place's fields, then the context
pub fn place_in(
    conn: &mut DbConnection,
    existing: Option<Versioned<TeamMember>>,
    project: ProjectId,
    employee: EmployeeId,
    department: DepartmentCode,
    role: TeamRole,
    backup_for: Option<EmployeeId>,
    ctx: &AuditContext,
    rules: &Rules,
) -> StaffingResult<(Versioned<TeamMember>, Put)> {
    let (stored, put, change) = match existing {
        None => {
            let member = TeamMember {
                project_id: project,
                employee_id: employee,
                department_code: department,
                role,
                backup_for,
                joined_on: rules.today(ctx.at),
            };
            let change = Change::created(ENTITY, audit_id(&member), &member)?;
            let stored = Versioned {
                value: member,
                version: 1,
                created_at: ctx.at,
                updated_at: ctx.at,
            };
            if !team::insert(conn, &stored)? {
                return Err(StaffingError::ConcurrentChange);
            }
            (stored, Put::Created, change)
        }
        Some(old) => match old.value.changed(&department, role, backup_for.as_ref()) {
            None => return Ok((old, Put::Unchanged)),
            Some(member) => {
                let change = Change::updated(ENTITY, audit_id(&member), &old.value, &member)?;
                let stored = Versioned {
                    value: member,
                    version: old.version + 1,
                    created_at: old.created_at,
                    updated_at: ctx.at,
                };
                if !team::update(conn, &stored)? {
                    return Err(StaffingError::ConcurrentChange);
                }
                (stored, Put::Updated, change)
            }
        },
    };
    outbox::publish(conn, &[events::team_member_added(&stored.value, ctx.at)?])?;
    audit::record(conn, ctx, change)?;
    coverage::recheck(conn, Scope::Projects(&[project]), rules, ctx.at)?;
    Ok((stored, put))
}

/// Takes an employee off a project team.
pub async fn remove_member(
    db: &Db,
    project: ProjectId,
    employee: EmployeeId,
    if_match: IfMatch,
    ctx: AuditContext,
    rules: Rules,
) -> StaffingResult<()> {
    db.write(move |conn| {
        let existing = team::find(conn, &project, &employee)?
            .ok_or_else(|| StaffingError::MemberNotFound(project, employee.clone()))?;
        if_match.check(Some(existing.version))?;
        remove_in(conn, &existing.value, &ctx, &rules)
    })
    .await
}

/// Removes a place, publishing, auditing and rechecking coverage.
pub fn remove_in(
    conn: &mut DbConnection,
    member: &TeamMember,
    ctx: &AuditContext,
    rules: &Rules,
) -> StaffingResult<()> {
    team::delete(conn, &member.project_id, &member.employee_id)?;
    outbox::publish(conn, &[events::team_member_removed(member, ctx.at)?])?;
    audit::record(
        conn,
        ctx,
        Change::deleted(ENTITY, audit_id(member), member)?,
    )?;
    coverage::recheck(conn, Scope::Projects(&[member.project_id]), rules, ctx.at)?;
    Ok(())
}

pub async fn list(
    db: &Db,
    project: ProjectId,
    page: PageRequest,
) -> StaffingResult<Vec<Versioned<TeamMember>>> {
    db.read(move |conn| {
        projects::find(conn, &project)?.ok_or(StaffingError::ProjectNotFound(project))?;
        Ok(team::list(conn, &project, &page)?)
    })
    .await
}
