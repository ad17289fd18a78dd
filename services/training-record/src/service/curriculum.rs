//! A project's curriculum (sessions, audiences, materials): read from the database, or from
//! this replica's copy while the project's curriculum generation still holds. Every change
//! to a project's sessions, their audiences or their materials bumps that generation in its
//! transaction ([`changed_in`]), so a copy is never used after a change committed through
//! any replica.

use std::sync::Arc;

use continuity_contract::ProjectId;
use continuity_shared::db::{DbConnection, GenerationCache};

use super::errors::TrainingResult;
use crate::db::{curriculum_generations, materials, sessions};
use crate::domain::curriculum::Curriculum;

/// This replica's copy of each project's curriculum, with the generation it was read at.
pub type CurriculumCache = GenerationCache<ProjectId, Arc<Curriculum>>;

/// The project's curriculum as stored now.
pub fn load_in(conn: &mut DbConnection, project: &ProjectId) -> TrainingResult<Curriculum> {
    let all = sessions::of_project(conn, project)?
        .into_iter()
        .map(|v| v.value)
        .collect();
    Ok(Curriculum::new(all, materials::of_project(conn, project)?))
}

/// The project's curriculum, from `cache` when its `generation` holds, else read and kept.
/// The generation must have been read on this connection before anything else of the
/// curriculum, so content read after it is at least as new, never older. Only on a
/// reading connection: a copy made inside a write that later rolls back would carry a
/// generation that another write may commit with different content.
pub fn cached_at(
    conn: &mut DbConnection,
    cache: &CurriculumCache,
    project: &ProjectId,
    generation: i64,
) -> TrainingResult<Arc<Curriculum>> {
    if let Some(c) = cache.get(project, generation) {
        return Ok(c);
    }
    let c = Arc::new(load_in(conn, project)?);
    cache.put(*project, generation, c.clone());
    Ok(c)
}

/// Marks the project's curriculum as changed, in the transaction of the change.
pub fn changed_in(conn: &mut DbConnection, project: &ProjectId) -> TrainingResult<()> {
    Ok(curriculum_generations::bump(conn, project)?)
}
