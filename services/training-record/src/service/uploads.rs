//! Resumable uploads: created for a session, continued from the offset recorded, finished
//! into a material (with the upload's id), terminated, or removed once expired.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDateTime, Utc};
use continuity_shared::audit::AuditContext;
use continuity_shared::db::{Db, DbConnection};

use super::errors::{TrainingError, TrainingResult};
use super::materials;
use super::storage::Storage;
use crate::db::{sessions, uploads as rows};
use crate::domain::ids::{MaterialId, UploadId};
use crate::domain::material::{Content, Material};
use crate::domain::upload::Upload;
use crate::settings::Rules;

/// The uploads a `PATCH` is writing to on this replica: a second one waits its turn
/// (answered 409, as tus clients retry after asking the offset again).
#[derive(Debug, Clone, Default)]
pub struct UploadLocks(Arc<Mutex<HashSet<UploadId>>>);

/// Held while a `PATCH` writes; released when dropped.
#[derive(Debug)]
pub struct UploadLock {
    locks: UploadLocks,
    id: UploadId,
}

impl UploadLocks {
    pub fn try_lock(&self, id: UploadId) -> Option<UploadLock> {
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        held.insert(id).then(|| UploadLock {
            locks: self.clone(),
            id,
        })
    }
}

impl Drop for UploadLock {
    fn drop(&mut self) {
        let mut held = self.locks.0.lock().unwrap_or_else(|e| e.into_inner());
        held.remove(&self.id);
    }
}

/// Records a new upload of an existing session (its empty file already made).
pub async fn create(db: &Db, upload: Upload, at: NaiveDateTime) -> TrainingResult<Upload> {
    db.write(move |conn| {
        sessions::find(conn, &upload.session_id)?
            .ok_or(TrainingError::SessionNotFound(upload.session_id))?;
        rows::insert(conn, &upload, at)?;
        Ok(upload)
    })
    .await
}

/// An upload that has not expired at `now`.
pub async fn find(db: &Db, id: UploadId, now: DateTime<Utc>) -> TrainingResult<Upload> {
    db.read(move |conn| match rows::find(conn, &id)? {
        Some(u) if u.expires_at > now => Ok(u),
        _ => Err(TrainingError::UploadNotFound(id)),
    })
    .await
}

/// Records what a `PATCH` received; 409 if another request moved the upload from `from`.
pub async fn record(db: &Db, upload: Upload, from: u64) -> TrainingResult<()> {
    db.write(move |conn| {
        if rows::advance(conn, &upload, from)? {
            Ok(())
        } else {
            Err(moved(conn, upload.upload_id)?)
        }
    })
    .await
}

/// Why an upload could not be advanced: another request moved it (409 with where it
/// stands), or it was terminated or expired meanwhile (404).
fn moved(conn: &mut DbConnection, id: UploadId) -> TrainingResult<TrainingError> {
    Ok(match rows::find(conn, &id)? {
        Some(u) => TrainingError::UploadOffset {
            id,
            offset: u.offset,
        },
        None => TrainingError::UploadNotFound(id),
    })
}

/// A complete upload becomes its material, its bytes already in place under `key`: in one
/// transaction the upload is marked finished (HEAD then reports it whole until it
/// expires) and the material recorded as a single upload would be.
pub async fn complete(
    db: &Db,
    upload: Upload,
    from: u64,
    key: String,
    sha256: String,
    ctx: AuditContext,
    rules: Rules,
) -> TrainingResult<Material> {
    let material = Material {
        material_id: MaterialId::from(upload.upload_id),
        session_id: upload.session_id,
        kind: upload.file.kind,
        filename: upload.file.filename.clone(),
        content: Content::Stored {
            key,
            size_bytes: upload.length,
            sha256,
            content_type: upload.file.content_type.clone(),
        },
        duration_seconds: upload.file.duration_seconds,
    };
    db.write(move |conn| {
        if !rows::advance(conn, &upload, from)? {
            return Err(moved(conn, upload.upload_id)?);
        }
        materials::add_in(conn, &material, &ctx, &rules)?;
        Ok(material)
    })
    .await
}

/// Ends an upload (tus termination): its row and any unfinished bytes go; a material it
/// already became stays.
pub async fn terminate(db: &Db, storage: &Storage, id: UploadId) -> TrainingResult<()> {
    let gone = db
        .write(move |conn| Ok::<_, TrainingError>(rows::delete(conn, &id.to_string())?))
        .await?;
    if !gone {
        return Err(TrainingError::UploadNotFound(id));
    }
    storage.remove_part(&id.to_string()).await;
    Ok(())
}

/// Removes every upload whose time ran out before `now` (unfinished ones with their
/// bytes); returns how many.
pub async fn expire(db: &Db, storage: &Storage, now: DateTime<Utc>) -> TrainingResult<usize> {
    let mut removed = 0;
    loop {
        let batch = db
            .write(move |conn| {
                let expired = rows::expired(conn, now.naive_utc(), 500)?;
                for (id, _) in &expired {
                    rows::delete(conn, id)?;
                }
                Ok::<_, TrainingError>(expired)
            })
            .await?;
        for (id, finished) in &batch {
            if !finished {
                storage.remove_part(id).await;
            }
        }
        removed += batch.len();
        if batch.len() < 500 {
            return Ok(removed);
        }
    }
}
