//! Staffing's tables, rows and queries.

pub mod coverage;
pub mod coverage_generations;
pub mod departments;
pub mod employees;
pub mod handovers;
pub mod hr_events;
pub mod projects;
pub mod schema;
pub mod team;

use continuity_shared::db::DbResult;
use diesel::QueryResult;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Whether a single-row write took effect: false when a concurrent transaction got there
/// first (the same key inserted, or the version moved on), which the caller answers as a
/// conflict rather than silently overwriting.
pub fn applied(result: QueryResult<usize>) -> DbResult<bool> {
    match result {
        Ok(n) => Ok(n == 1),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
