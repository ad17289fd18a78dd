//! Material rows.

use chrono::NaiveDateTime;
use continuity_contract::ProjectId;
use continuity_shared::db::{CorruptRow, DbConnection, DbResult};
use diesel::prelude::*;

use super::schema::materials as m;
use crate::domain::ids::{MaterialId, SessionId};
use crate::domain::material::{Content, Material, MaterialKind};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = m)]
pub struct MaterialRow {
    pub material_id: String,
    pub session_id: String,
    pub kind: String,
    pub filename: String,
    pub storage_key: Option<String>,
    pub size_bytes: Option<i64>,
    pub sha256: Option<String>,
    pub content_type: Option<String>,
    pub url: Option<String>,
    pub duration_seconds: Option<i32>,
    pub created_at: NaiveDateTime,
}

impl MaterialRow {
    pub fn new(v: &Material, created_at: NaiveDateTime) -> Self {
        let (storage_key, size_bytes, sha256, content_type, url) = match &v.content {
            Content::Stored {
                key,
                size_bytes,
                sha256,
                content_type,
            } => (
                Some(key.clone()),
                Some(*size_bytes as i64),
                Some(sha256.clone()),
                Some(content_type.clone()),
                None,
            ),
            Content::Link { url } => (None, None, None, None, Some(url.clone())),
        };
        Self {
            material_id: v.material_id.to_string(),
            session_id: v.session_id.to_string(),
            kind: v.kind.as_str().to_owned(),
            filename: v.filename.clone(),
            storage_key,
            size_bytes,
            sha256,
            content_type,
            url,
            duration_seconds: v.duration_seconds.map(|d| d as i32),
            created_at,
        }
    }
}

impl TryFrom<MaterialRow> for (Material, NaiveDateTime) {
    type Error = CorruptRow;

    fn try_from(r: MaterialRow) -> Result<Self, CorruptRow> {
        let bad = |column| CorruptRow::new("materials", &r.material_id, column);
        let content = match (r.storage_key, r.url) {
            (Some(key), None) => Content::Stored {
                key,
                size_bytes: r
                    .size_bytes
                    .and_then(|s| u64::try_from(s).ok())
                    .ok_or_else(|| bad("size_bytes"))?,
                sha256: r.sha256.ok_or_else(|| bad("sha256"))?,
                content_type: r.content_type.ok_or_else(|| bad("content_type"))?,
            },
            (None, Some(url)) => Content::Link { url },
            _ => return Err(bad("storage_key")),
        };
        Ok((
            Material {
                material_id: MaterialId::parse(&r.material_id).map_err(|_| bad("material_id"))?,
                session_id: SessionId::parse(&r.session_id).map_err(|_| bad("session_id"))?,
                kind: MaterialKind::parse(&r.kind).ok_or_else(|| bad("kind"))?,
                filename: r.filename,
                content,
                duration_seconds: match r.duration_seconds {
                    None => None,
                    Some(d) => Some(u32::try_from(d).map_err(|_| bad("duration_seconds"))?),
                },
            },
            r.created_at,
        ))
    }
}

pub fn insert(conn: &mut DbConnection, v: &Material, at: NaiveDateTime) -> DbResult<()> {
    diesel::insert_into(m::table)
        .values(MaterialRow::new(v, at))
        .execute(conn)?;
    Ok(())
}

pub fn find(
    conn: &mut DbConnection,
    id: &MaterialId,
) -> DbResult<Option<(Material, NaiveDateTime)>> {
    let row = m::table
        .find(id.to_string())
        .select(MaterialRow::as_select())
        .get_result(conn)
        .optional()?;
    Ok(row.map(TryFrom::try_from).transpose()?)
}

/// Every material of `project`'s sessions.
pub fn of_project(conn: &mut DbConnection, project: &ProjectId) -> DbResult<Vec<Material>> {
    use super::schema::training_sessions as ts;
    let rows: Vec<MaterialRow> = m::table
        .inner_join(ts::table)
        .filter(ts::project_id.eq(project.to_string()))
        .order(m::material_id.asc())
        .select(MaterialRow::as_select())
        .load(conn)?;
    materials(rows)
}

/// The materials of `sessions`, by id.
pub fn of_sessions(conn: &mut DbConnection, sessions: &[String]) -> DbResult<Vec<Material>> {
    let rows: Vec<MaterialRow> = m::table
        .filter(m::session_id.eq_any(sessions))
        .order(m::material_id.asc())
        .select(MaterialRow::as_select())
        .load(conn)?;
    materials(rows)
}

fn materials(rows: Vec<MaterialRow>) -> DbResult<Vec<Material>> {
    rows.into_iter()
        .map(|r| <(Material, NaiveDateTime)>::try_from(r).map(|(m, _)| m))
        .collect::<Result<_, _>>()
        .map_err(Into::into)
}
