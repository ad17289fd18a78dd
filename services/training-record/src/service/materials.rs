//! Adding materials to a session and reading them.

use chrono::NaiveDateTime;
use continuity_shared::audit::{self, AuditContext, Change};
use continuity_shared::db::{Db, DbConnection};

use super::errors::{TrainingError, TrainingResult};
use super::{audience, curriculum};
use crate::db::{materials as rows, sessions};
use crate::domain::ids::{MaterialId, SessionId};
use crate::domain::material::Material;
use crate::settings::Rules;

/// The audit trail's name for materials.
pub const ENTITY: &str = "material";

/// 404 unless the session exists.
pub async fn require_session(db: &Db, id: SessionId) -> TrainingResult<()> {
    db.read(move |conn| match sessions::find(conn, &id)? {
        Some(_) => Ok(()),
        None => Err(TrainingError::SessionNotFound(id)),
    })
    .await
}

/// Records a material of a session (its file, if any, already in place), audited; the
/// audience's plans are refreshed, since a new recording is more to watch.
pub async fn add(
    db: &Db,
    material: Material,
    ctx: AuditContext,
    rules: Rules,
) -> TrainingResult<(Material, NaiveDateTime)> {
    db.write(move |conn| {
        let at = add_in(conn, &material, &ctx, &rules)?;
        Ok((material, at))
    })
    .await
}

/// [`add`] inside the caller's transaction.
pub fn add_in(
    conn: &mut DbConnection,
    material: &Material,
    ctx: &AuditContext,
    rules: &Rules,
) -> TrainingResult<NaiveDateTime> {
    let s = sessions::find(conn, &material.session_id)?
        .ok_or(TrainingError::SessionNotFound(material.session_id))?;
    let at = ctx.at.naive_utc();
    rows::insert(conn, material, at)?;
    curriculum::changed_in(conn, &s.value.project_id)?;
    audit::record(
        conn,
        ctx,
        Change::created(ENTITY, material.material_id.to_string(), material)?,
    )?;
    audience::refresh_in(conn, &s.value.project_id, &s.value.departments, ctx, rules)?;
    Ok(at)
}

pub async fn get(db: &Db, id: MaterialId) -> TrainingResult<(Material, NaiveDateTime)> {
    db.read(move |conn| rows::find(conn, &id)?.ok_or(TrainingError::MaterialNotFound(id)))
        .await
}
