//! Rows of resumable uploads.

use chrono::NaiveDateTime;
use continuity_shared::clock;
use continuity_shared::db::{CorruptRow, DbConnection, DbResult};
use diesel::prelude::*;

use super::schema::uploads as u;
use crate::domain::ids::{SessionId, UploadId};
use crate::domain::material::MaterialKind;
use crate::domain::upload::{Described, HashState, Upload};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = u)]
pub struct UploadRow {
    pub upload_id: String,
    pub session_id: String,
    pub kind: String,
    pub filename: String,
    pub content_type: String,
    pub duration_seconds: Option<i32>,
    pub length_bytes: i64,
    pub offset_bytes: i64,
    pub sha256_state: String,
    pub completed: bool,
    pub expires_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

impl UploadRow {
    pub fn new(v: &Upload, created_at: NaiveDateTime) -> Self {
        Self {
            upload_id: v.upload_id.to_string(),
            session_id: v.session_id.to_string(),
            kind: v.file.kind.as_str().to_owned(),
            filename: v.file.filename.clone(),
            content_type: v.file.content_type.clone(),
            duration_seconds: v.file.duration_seconds.map(|d| d as i32),
            length_bytes: v.length as i64,
            offset_bytes: v.offset as i64,
            sha256_state: v.hash.to_hex(),
            completed: v.completed,
            expires_at: v.expires_at.naive_utc(),
            created_at,
        }
    }
}

impl TryFrom<UploadRow> for Upload {
    type Error = CorruptRow;

    fn try_from(r: UploadRow) -> Result<Self, CorruptRow> {
        let bad = |column| CorruptRow::new("uploads", &r.upload_id, column);
        let size = |v: i64, column| u64::try_from(v).map_err(|_| bad(column));
        Ok(Upload {
            upload_id: UploadId::parse(&r.upload_id).map_err(|_| bad("upload_id"))?,
            session_id: SessionId::parse(&r.session_id).map_err(|_| bad("session_id"))?,
            file: Described {
                kind: MaterialKind::parse(&r.kind).ok_or_else(|| bad("kind"))?,
                filename: r.filename.clone(),
                content_type: r.content_type.clone(),
                duration_seconds: match r.duration_seconds {
                    None => None,
                    Some(d) => Some(u32::try_from(d).map_err(|_| bad("duration_seconds"))?),
                },
            },
            length: size(r.length_bytes, "length_bytes")?,
            offset: size(r.offset_bytes, "offset_bytes")?,
            hash: HashState::from_hex(&r.sha256_state).ok_or_else(|| bad("sha256_state"))?,
            completed: r.completed,
            expires_at: clock::utc(r.expires_at),
        })
    }
}

pub fn insert(conn: &mut DbConnection, v: &Upload, at: NaiveDateTime) -> DbResult<()> {
    diesel::insert_into(u::table)
        .values(UploadRow::new(v, at))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &UploadId) -> DbResult<Option<Upload>> {
    let row = u::table
        .find(id.to_string())
        .select(UploadRow::as_select())
        .get_result(conn)
        .optional()?;
    Ok(row.map(Upload::try_from).transpose()?)
}

/// Records what a `PATCH` received, if the upload is still at `from` (else no row changes
/// and `false`: another request moved it first).
pub fn advance(conn: &mut DbConnection, v: &Upload, from: u64) -> DbResult<bool> {
    let n = diesel::update(
        u::table
            .filter(u::upload_id.eq(v.upload_id.to_string()))
            .filter(u::offset_bytes.eq(from as i64)),
    )
    .set((
        u::offset_bytes.eq(v.offset as i64),
        u::sha256_state.eq(v.hash.to_hex()),
        u::completed.eq(v.completed),
        u::expires_at.eq(v.expires_at.naive_utc()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn delete(conn: &mut DbConnection, id: &str) -> DbResult<bool> {
    let n = diesel::delete(u::table.find(id)).execute(conn)?;
    Ok(n == 1)
}

/// Uploads whose time ran out before `now`, at most `limit`: (id, finished).
pub fn expired(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> DbResult<Vec<(String, bool)>> {
    Ok(u::table
        .filter(u::expires_at.lt(now))
        .order(u::expires_at.asc())
        .limit(limit)
        .select((u::upload_id, u::completed))
        .load(conn)?)
}
