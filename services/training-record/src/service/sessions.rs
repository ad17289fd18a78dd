//! Creating, changing and reading training sessions.

use continuity_contract::ProjectId;
use continuity_shared::audit::{self, AuditContext, Change};
use continuity_shared::db::{Db, DbConnection};
use continuity_shared::etag::IfMatch;
use continuity_shared::pagination::PageRequest;
use continuity_shared::roster::read as roster;

use super::errors::{TrainingError, TrainingResult};
use super::{audience, curriculum};
use crate::db::sessions::{self as rows, SessionFilter};
use crate::domain::Versioned;
use crate::domain::ids::SessionId;
use crate::domain::session::{SessionDraft, TrainingSession};
use crate::settings::Rules;

/// The audit trail's name for sessions.
pub const ENTITY: &str = "training_session";

/// 404 unless the roster copy has the project.
pub fn require_project(conn: &mut DbConnection, project: &ProjectId) -> TrainingResult<()> {
    match roster::project_exists(conn, project)? {
        true => Ok(()),
        false => Err(TrainingError::ProjectNotFound(*project)),
    }
}

/// Creates a session in the caller's transaction (the idempotency layer owns it).
pub fn create_in(
    conn: &mut DbConnection,
    project: ProjectId,
    draft: SessionDraft,
    ctx: &AuditContext,
    rules: &Rules,
) -> TrainingResult<Versioned<TrainingSession>> {
    require_project(conn, &project)?;
    let session =
        TrainingSession::new(SessionId::new(), project, draft).map_err(TrainingError::Invalid)?;
    let stored = Versioned {
        value: session,
        version: 1,
        created_at: ctx.at,
        updated_at: ctx.at,
    };
    rows::insert(conn, &stored)?;
    curriculum::changed_in(conn, &project)?;
    audit::record(
        conn,
        ctx,
        Change::created(ENTITY, stored.value.session_id.to_string(), &stored.value)?,
    )?;
    audience::refresh_in(conn, &project, &stored.value.departments, ctx, rules)?;
    Ok(stored)
}

/// Applies a patch (the draft with the present fields replaced), honouring `If-Match`.
pub async fn patch(
    db: &Db,
    id: SessionId,
    change: impl FnOnce(SessionDraft) -> SessionDraft + Send + 'static,
    if_match: IfMatch,
    ctx: AuditContext,
    rules: Rules,
) -> TrainingResult<Versioned<TrainingSession>> {
    db.write(move |conn| {
        let old = rows::find(conn, &id)?.ok_or(TrainingError::SessionNotFound(id))?;
        if_match.check(Some(old.version))?;
        let new = TrainingSession::new(id, old.value.project_id, change(old.value.draft()))
            .map_err(TrainingError::Invalid)?;
        if new == old.value {
            return Ok(old);
        }
        let stored = Versioned {
            value: new,
            version: old.version + 1,
            created_at: old.created_at,
            updated_at: ctx.at,
        };
        rows::update(conn, &stored)?;
        curriculum::changed_in(conn, &stored.value.project_id)?;
        audit::record(
            conn,
            &ctx,
            Change::updated(ENTITY, id.to_string(), &old.value, &stored.value)?,
        )?;
        let mut reached = old.value.departments.clone();
        reached.extend(stored.value.departments.iter().cloned());
        audience::refresh_in(conn, &stored.value.project_id, &reached, &ctx, &rules)?;
        Ok(stored)
    })
    .await
}

pub async fn get(db: &Db, id: SessionId) -> TrainingResult<Versioned<TrainingSession>> {
    db.read(move |conn| rows::find(conn, &id)?.ok_or(TrainingError::SessionNotFound(id)))
        .await
}

pub async fn list(
    db: &Db,
    project: ProjectId,
    filter: SessionFilter,
    page: PageRequest,
) -> TrainingResult<Vec<Versioned<TrainingSession>>> {
    db.read(move |conn| {
        require_project(conn, &project)?;
        Ok(rows::list(conn, &project, &filter, &page)?)
    })
    .await
}
