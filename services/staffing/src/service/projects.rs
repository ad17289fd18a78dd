//! Creating, changing and reading projects.

use chrono::NaiveDate;
use continuity_contract::{ProjectId, ProjectStatus};
use continuity_shared::audit::{self, AuditContext, Change};
use continuity_shared::db::{Db, DbConnection};
use continuity_shared::etag::IfMatch;
use continuity_shared::events::outbox;
use continuity_shared::pagination::PageRequest;

use super::coverage::{self, Scope};
use super::errors::{StaffingError, StaffingResult};
use super::events;
use crate::db::projects as rows;
use crate::domain::Versioned;
use crate::domain::project::Project;
use crate::settings::Rules;

/// The audit trail's name for projects.
pub const ENTITY: &str = "project";

/// Creates a project in the caller's transaction (the idempotency layer owns it).
pub fn create_in(
    conn: &mut DbConnection,
    project: Project,
    ctx: &AuditContext,
    rules: &Rules,
) -> StaffingResult<Versioned<Project>> {
    let stored = Versioned {
        value: project,
        version: 1,
        created_at: ctx.at,
        updated_at: ctx.at,
    };
    rows::insert(conn, &stored)?;
    outbox::publish(conn, &[events::project_upserted(&stored.value, ctx.at)?])?;
    audit::record(
        conn,
        ctx,
        Change::created(ENTITY, stored.value.project_id.to_string(), &stored.value)?,
    )?;
    // Key departments are uncovered from the first day: say so.
    coverage::recheck(
        conn,
        Scope::Projects(&[stored.value.project_id]),
        rules,
        ctx.at,
    )?;
    Ok(stored)
}

/// What a `PATCH` may change; `None` leaves a field alone, `Some(None)` clears a date.
#[derive(Debug, Default, Clone)]
pub struct ProjectPatch {
    pub name: Option<String>,
    pub status: Option<ProjectStatus>,
    pub planned_start: Option<Option<NaiveDate>>,
    pub planned_go_live: Option<Option<NaiveDate>>,
    pub stabilization_months: Option<u32>,
}

/// Applies a patch, honouring `If-Match`; a change is published, audited and rechecked.
pub async fn patch(
    db: &Db,
    id: ProjectId,
    patch: ProjectPatch,
    if_match: IfMatch,
    ctx: AuditContext,
    rules: Rules,
) -> StaffingResult<Versioned<Project>> {
    db.write(move |conn| {
        let old = rows::find(conn, &id)?.ok_or(StaffingError::ProjectNotFound(id))?;
        if_match.check(Some(old.version))?;
        let p = &old.value;
        let new = Project::new(
            id,
            patch.name.as_deref().unwrap_or(p.name.as_str()),
            patch.status.unwrap_or(p.status),
            patch.planned_start.unwrap_or(p.planned_start),
            patch.planned_go_live.unwrap_or(p.planned_go_live),
            patch.stabilization_months.unwrap_or(p.stabilization_months),
        )
        .map_err(StaffingError::Invalid)?;
        if new == old.value {
            return Ok(old);
        }
        let stored = Versioned {
            value: new,
            version: old.version + 1,
            created_at: old.created_at,
            updated_at: ctx.at,
        };
        if !rows::update(conn, &stored)? {
            return Err(StaffingError::ConcurrentChange);
        }
        outbox::publish(conn, &[events::project_upserted(&stored.value, ctx.at)?])?;
        audit::record(
            conn,
            &ctx,
            Change::updated(ENTITY, id.to_string(), &old.value, &stored.value)?,
        )?;
        coverage::recheck(conn, Scope::Projects(&[id]), &rules, ctx.at)?;
        Ok(stored)
    })
    .await
}

pub async fn get(db: &Db, id: ProjectId) -> StaffingResult<Versioned<Project>> {
    db.read(move |conn| rows::find(conn, &id)?.ok_or(StaffingError::ProjectNotFound(id)))
        .await
}

pub async fn list(
    db: &Db,
    status: Option<ProjectStatus>,
    page: PageRequest,
) -> StaffingResult<Vec<Versioned<Project>>> {
    db.read(move |conn| Ok(rows::list(conn, status, &page)?))
        .await
}
