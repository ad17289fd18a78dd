//! Each project's curriculum generation: bumped in the transaction of every change to its
//! sessions, their audiences or their materials; read before a kept copy of them is used
//! (with the rest of a catch-up read's context: `catchup_context`).

use continuity_contract::ProjectId;
use continuity_shared::db::{DbConnection, DbResult};
use continuity_shared::with_backend;
use diesel::prelude::*;
use diesel::sql_types::Text;

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
