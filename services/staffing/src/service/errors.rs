//! What staffing's use cases can fail with: domain refusals named for what they are, and
//! the database's own errors with their causes. The API turns them into problems.

use continuity_contract::{DepartmentCode, EmployeeId, HandoverId, ProjectId};
use continuity_shared::db::DbError;
use continuity_shared::{ApiError, FieldError};

#[derive(Debug, thiserror::Error)]
pub enum StaffingError {
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("department {0} does not exist")]
    DepartmentNotFound(DepartmentCode),
    #[error("employee {0} does not exist")]
    EmployeeNotFound(EmployeeId),
    #[error("project {0} does not exist")]
    ProjectNotFound(ProjectId),
    #[error("employee {1} is not on project {0}")]
    MemberNotFound(ProjectId, EmployeeId),
    #[error("handover {0} does not exist")]
    HandoverNotFound(HandoverId),
    /// A handover cannot move as asked (409).
    #[error("handover refused: {0:?}")]
    Handover(crate::domain::handover::HandoverRefusal),
    #[error("HR event {0} does not exist")]
    HrEventNotFound(String),
    #[error("HR event {0} has already been applied")]
    HrEventApplied(String),
    /// Another request changed the same resource at the same time (409: read and retry).
    #[error("changed concurrently")]
    ConcurrentChange,
    #[error("{0} is not a service this one delivers to")]
    UnknownSubscriber(String),
    #[error(transparent)]
    Db(#[from] DbError),
    /// A refusal of the platform's (a stale `If-Match`) or its failure (the outbox).
    #[error(transparent)]
    Platform(#[from] ApiError),
}

pub type StaffingResult<T> = Result<T, StaffingError>;
