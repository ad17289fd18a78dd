//! Each project's coverage generation: bumped in the transaction of every change that can
//! move its coverage, read before a cached coverage is served.

use continuity_contract::ProjectId;
use continuity_shared::db::{DbConnection, DbResult};
use continuity_shared::with_backend;
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::schema::coverage_generations as g;

/// The project's generation (0 before its first change).
pub fn of(conn: &mut DbConnection, project: &ProjectId) -> DbResult<i64> {
    let n = g::table
        .find(project.to_string())
        .select(g::generation)
        .first(conn)
        .optional()?;
    Ok(n.unwrap_or(0))
}

/// Bumps the generation of each of `projects`.
pub fn bump(conn: &mut DbConnection, projects: &[ProjectId]) -> DbResult<()> {
    const SQL: &str = "INSERT INTO coverage_generations (project_id, generation) VALUES ($1, 1) \
        ON CONFLICT (project_id) DO UPDATE SET generation = coverage_generations.generation + 1";
    for p in projects {
        let id = p.to_string();
        with_backend!(conn, |c| diesel::sql_query(SQL)
            .bind::<Text, _>(&id)
            .execute(c))?;
    }
    Ok(())
}

/// Bumps every project's generation (a department's need changed).
pub fn bump_all(conn: &mut DbConnection) -> DbResult<()> {
    // `WHERE true` lets SQLite tell the upsert clause from a join condition.
    const SQL: &str = "INSERT INTO coverage_generations (project_id, generation) \
        SELECT project_id, 1 FROM projects WHERE true \
        ON CONFLICT (project_id) DO UPDATE SET generation = coverage_generations.generation + 1";
    with_backend!(conn, |c| diesel::sql_query(SQL).execute(c))?;
    Ok(())
}
