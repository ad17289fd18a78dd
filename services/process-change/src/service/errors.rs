//! What process-change's use cases can fail with: refusals named for what they are, and
//! the database's errors with their causes. The API turns them into problems.

use continuity_contract::{EmployeeId, NoticeId, ProcessChangeId, ProjectId};
use continuity_shared::db::DbError;
use continuity_shared::{ApiError, FieldError};

use crate::domain::lifecycle::IllegalTransition;
use crate::domain::notice::BundleRefusal;

#[derive(Debug, thiserror::Error)]
pub enum PcError {
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("process change {0} does not exist")]
    ChangeNotFound(ProcessChangeId),
    #[error("notice {0} does not exist")]
    NoticeNotFound(NoticeId),
    /// Staffing has not published the project (it is not in the roster copy).
    #[error("project {0} does not exist")]
    ProjectNotFound(ProjectId),
    /// The change's status does not allow the action (409).
    #[error("illegal transition: {0:?}")]
    Illegal(IllegalTransition),
    /// The changes cannot make, or be published by, one notice.
    #[error("changes refused: {0:?}")]
    Bundle(BundleRefusal),
    #[error("notice {0} is already published")]
    NoticePublished(NoticeId),
    #[error("notice {0} is not published")]
    NoticeNotPublished(NoticeId),
    #[error("no acknowledgment of notice {0} is asked of {1}")]
    NotAsked(NoticeId, EmployeeId),
    #[error("the acknowledgment of notice {0} by {1} is no longer required")]
    NotRequired(NoticeId, EmployeeId),
    #[error(transparent)]
    Db(#[from] DbError),
    /// A refusal of the platform's (`If-Match`) or its failure (the outbox, the audit).
    #[error(transparent)]
    Platform(#[from] ApiError),
}

pub type PcResult<T> = Result<T, PcError>;
