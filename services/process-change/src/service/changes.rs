//! Recording, editing, approving and reading process changes.

use chrono::NaiveDate;
use continuity_contract::{DepartmentCode, Name, ProcessChangeId, ProjectId, Reason};
use continuity_shared::audit::{self, AuditContext, Change};
use continuity_shared::db::{Db, DbConnection};
use continuity_shared::etag::IfMatch;
use continuity_shared::pagination::PageRequest;
use continuity_shared::roster::read as roster;

use super::errors::{PcError, PcResult};
use crate::db::changes::{self as rows, ChangeFilter};
use crate::domain::Versioned;
use crate::domain::change::{ChangeFields, ProcessChange};
use crate::domain::lifecycle::{ChangeAction, ChangeStatus, transition};

/// The audit trail's name for process changes.
pub const ENTITY: &str = "process_change";

/// 404 unless staffing has published the project (the roster copy has it).
pub fn require_project(conn: &mut DbConnection, project: &ProjectId) -> PcResult<()> {
    match roster::project_exists(conn, project)? {
        true => Ok(()),
        false => Err(PcError::ProjectNotFound(*project)),
    }
}

/// Records a draft change in the caller's transaction (the idempotency layer owns it).
pub fn create_in(
    conn: &mut DbConnection,
    project: ProjectId,
    fields: ChangeFields,
    ctx: &AuditContext,
) -> PcResult<Versioned<ProcessChange>> {
    require_project(conn, &project)?;
    let stored = Versioned {
        value: ProcessChange {
            change_id: ProcessChangeId::new(),
            project_id: project,
            fields,
            status: ChangeStatus::Draft,
            notice_id: None,
            superseded_by: None,
        },
        version: 1,
        created_at: ctx.at,
        updated_at: ctx.at,
    };
    rows::insert(conn, &stored)?;
    audit::record(
        conn,
        ctx,
        Change::created(ENTITY, stored.value.change_id.to_string(), &stored.value)?,
    )?;
    Ok(stored)
}

/// What a `PATCH` may change; `None` leaves a field alone.
#[derive(Debug, Default, Clone)]
pub struct ChangePatch {
    pub process: Option<Name>,
    pub step: Option<Name>,
    pub before: Option<Reason>,
    pub after: Option<Reason>,
    pub reason: Option<Reason>,
    pub departments: Option<Vec<DepartmentCode>>,
    pub effective_date: Option<NaiveDate>,
    pub recorded_by: Option<Name>,
}

impl ChangePatch {
    fn apply(self, f: &ChangeFields) -> PcResult<ChangeFields> {
        ChangeFields::new(
            self.process.unwrap_or_else(|| f.process.clone()),
            self.step.unwrap_or_else(|| f.step.clone()),
            self.before.unwrap_or_else(|| f.before.clone()),
            self.after.unwrap_or_else(|| f.after.clone()),
            self.reason.unwrap_or_else(|| f.reason.clone()),
            self.departments.unwrap_or_else(|| f.departments.clone()),
            self.effective_date.unwrap_or(f.effective_date),
            self.recorded_by.unwrap_or_else(|| f.recorded_by.clone()),
        )
        .map_err(PcError::Invalid)
    }
}

fn find_in(conn: &mut DbConnection, id: ProcessChangeId) -> PcResult<Versioned<ProcessChange>> {
    rows::find(conn, &id)?.ok_or(PcError::ChangeNotFound(id))
}

/// Edits a draft: `If-Match` is required (428 without, 412 when stale); 409 once approved.
pub async fn patch(
    db: &Db,
    id: ProcessChangeId,
    patch: ChangePatch,
    if_match: IfMatch,
    ctx: AuditContext,
) -> PcResult<Versioned<ProcessChange>> {
    db.write(move |conn| {
        let old = find_in(conn, id)?;
        if_match.check(Some(old.version))?;
        transition(old.value.status, ChangeAction::Edit).map_err(PcError::Illegal)?;
        let fields = patch.apply(&old.value.fields)?;
        if fields == old.value.fields {
            return Ok(old);
        }
        let new = Versioned {
            value: ProcessChange {
                fields,
                ..old.value.clone()
            },
            version: old.version + 1,
            created_at: old.created_at,
            updated_at: ctx.at,
        };
        rows::update(conn, &old, &new)?;
        audit::record(
            conn,
            &ctx,
            Change::updated(ENTITY, id.to_string(), &old.value, &new.value)?,
        )?;
        Ok(new)
    })
    .await
}

/// Approves a draft (`If-Match`, when sent, must match); 409 for any other status.
pub async fn approve(
    db: &Db,
    id: ProcessChangeId,
    if_match: IfMatch,
    ctx: AuditContext,
) -> PcResult<Versioned<ProcessChange>> {
    db.write(move |conn| {
        let old = find_in(conn, id)?;
        if_match.check(Some(old.version))?;
        let status =
            transition(old.value.status, ChangeAction::Approve).map_err(PcError::Illegal)?;
        let new = Versioned {
            value: ProcessChange {
                status,
                ..old.value.clone()
            },
            version: old.version + 1,
            created_at: old.created_at,
            updated_at: ctx.at,
        };
        rows::update(conn, &old, &new)?;
        audit::record(
            conn,
            &ctx,
            Change::updated(ENTITY, id.to_string(), &old.value, &new.value)?,
        )?;
        Ok(new)
    })
    .await
}

pub async fn get(db: &Db, id: ProcessChangeId) -> PcResult<Versioned<ProcessChange>> {
    db.read(move |conn| find_in(conn, id)).await
}

pub async fn list(
    db: &Db,
    project: ProjectId,
    filter: ChangeFilter,
    page: PageRequest,
) -> PcResult<Vec<Versioned<ProcessChange>>> {
    db.read(move |conn| {
        require_project(conn, &project)?;
        Ok(rows::list(conn, &project, &filter, &page)?)
    })
    .await
}

/// A project's published, current changes, by process and step.
pub async fn current(db: &Db, project: ProjectId) -> PcResult<Vec<Versioned<ProcessChange>>> {
    db.read(move |conn| Ok(rows::in_status(conn, &project, ChangeStatus::Published)?))
        .await
}
