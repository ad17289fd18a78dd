//! What scheduling's use cases can fail with. The API turns them into problems.

use continuity_contract::ProjectId;
use continuity_shared::db::DbError;
use continuity_shared::{ApiError, FieldError};

#[derive(Debug, thiserror::Error)]
pub enum SchError {
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("project {0} is not in the roster copy")]
    ProjectNotFound(ProjectId),
    #[error(transparent)]
    Db(#[from] DbError),
    /// The platform's failure (the outbox, the audit).
    #[error(transparent)]
    Platform(#[from] ApiError),
}

pub type SchResult<T> = Result<T, SchError>;
