//! What training-record's use cases can fail with; the API turns them into problems.

use continuity_contract::{EmployeeId, ProjectId};
use continuity_shared::db::DbError;
use continuity_shared::{ApiError, FieldError};

use crate::domain::ids::{MaterialId, SessionId, UploadId};

#[derive(Debug, thiserror::Error)]
pub enum TrainingError {
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("project {0} is not in the roster copy")]
    ProjectNotFound(ProjectId),
    #[error("employee {0} is not in the roster copy")]
    EmployeeNotFound(EmployeeId),
    #[error("session {0} does not exist")]
    SessionNotFound(SessionId),
    #[error("material {0} does not exist")]
    MaterialNotFound(MaterialId),
    /// Unknown, terminated or expired.
    #[error("upload {0} does not exist")]
    UploadNotFound(UploadId),
    /// A `PATCH` from another offset than the upload's, or while another is under way.
    #[error("upload {id} is at offset {offset}")]
    UploadOffset { id: UploadId, offset: u64 },
    /// Progress of a kind the material does not take (intervals for a document).
    #[error("material {0} does not take this kind of progress")]
    WrongProgress(MaterialId),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Platform(#[from] ApiError),
}

pub type TrainingResult<T> = Result<T, TrainingError>;
