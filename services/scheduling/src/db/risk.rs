//! The last risk level each project was scored at.

use chrono::NaiveDateTime;
use continuity_contract::{ProjectId, RiskLevel};
use continuity_shared::db::{CorruptRow, DbConnection, DbResult};
use continuity_shared::with_backend;
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::schema::project_risk as r;

pub fn level(conn: &mut DbConnection, project: &ProjectId) -> DbResult<Option<RiskLevel>> {
    let key = project.to_string();
    let raw: Option<String> = r::table
        .find(&key)
        .select(r::level)
        .get_result(conn)
        .optional()?;
    match raw {
        None => Ok(None),
        Some(l) => {
            Ok(Some(RiskLevel::parse(&l).ok_or_else(|| {
                CorruptRow::new("project_risk", &key, "level")
            })?))
        }
    }
}

pub fn put(
    conn: &mut DbConnection,
    project: &ProjectId,
    level: RiskLevel,
    probability: f64,
    at: NaiveDateTime,
) -> DbResult<()> {
    let row = (
        r::project_id.eq(project.to_string()),
        r::level.eq(level.as_str()),
        r::breach_probability.eq(probability),
        r::updated_at.eq(at),
    );
    with_backend!(&mut *conn, |c| diesel::insert_into(r::table)
        .values(row)
        .on_conflict(r::project_id)
        .do_update()
        .set((
            r::level.eq(excluded(r::level)),
            r::breach_probability.eq(excluded(r::breach_probability)),
            r::updated_at.eq(excluded(r::updated_at)),
        ))
        .execute(c))?;
    Ok(())
}
