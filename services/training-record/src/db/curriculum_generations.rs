//! Each project's curriculum generation: bumped in the transaction of every change to its
//! sessions, their audiences or their materials; read before a kept copy of them is used.

use continuity_contract::ProjectId;
use continuity_shared::db::{DbConnection, DbResult};
use continuity_shared::with_backend;
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::schema::curriculum_generations as g;

/// The project's generation (0 before its first change).
pub fn of(conn: &mut DbConnection, project: &ProjectId) -> DbResult<i64> {
    let project = project.to_string();
    // On the backend's own connection (read by every catch-up): see `plans::active_of`.
    let n = with_backend!(conn, |c| g::table
        .find(&project)
        .select(g::generation)
        .first(c)
        .optional())?;
    Ok(n.unwrap_or(0))
}

/// Bumps the project's generation.
pub fn bump(conn: &mut DbConnection, project: &ProjectId) -> DbResult<()> {
    const SQL: &str = "INSERT INTO curriculum_generations (project_id, generation) VALUES ($1, 1) \
        ON CONFLICT (project_id) DO UPDATE SET generation = curriculum_generations.generation + 1";
    let id = project.to_string();
    with_backend!(conn, |c| diesel::sql_query(SQL)
        .bind::<Text, _>(&id)
        .execute(c))?;
    Ok(())
}
