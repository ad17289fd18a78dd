//! The database layer's errors, with their causes; turned into API errors in one place
//! ([`From<DbError> for ApiError`]), where an unexpected one keeps its cause for the log.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::error::ApiError;
use crate::text;

pub type DbResult<T> = Result<T, DbError>;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database query failed")]
    Query(#[from] DieselError),
    #[error("no database connection")]
    Connect(#[from] diesel::ConnectionError),
    #[error("no database connection became free in time")]
    Busy,
    #[error(transparent)]
    Corrupt(#[from] CorruptRow),
    /// The work panicked (a bug), or the database threads have stopped.
    #[error("the database work ended without an answer")]
    NoAnswer,
    #[error("the write was done but its commit failed: {0}")]
    Commit(String),
    #[error("the database writer has stopped")]
    WriterGone,
}

/// A stored value that does not parse: written by an older version, or by hand. Never
/// read as a default.
#[derive(Debug, Clone, thiserror::Error)]
#[error("stored row {table}/{key} has an invalid {column}")]
pub struct CorruptRow {
    pub table: &'static str,
    pub key: String,
    pub column: &'static str,
}

impl CorruptRow {
    pub fn new(table: &'static str, key: &str, column: &'static str) -> Self {
        Self {
            table,
            key: key.chars().take(100).collect(),
            column,
        }
    }
}

impl From<DbError> for ApiError {
    fn from(err: DbError) -> Self {
        match &err {
            DbError::Query(DieselError::NotFound) => {
                ApiError::not_found(text!("The resource does not exist.", "资源不存在。"))
            }
            DbError::Query(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                ApiError::conflict(text!("The resource already exists.", "资源已存在。"))
            }
            DbError::Query(DieselError::DatabaseError(
                DatabaseErrorKind::ForeignKeyViolation,
                _,
            )) => ApiError::conflict(text!(
                "The resource refers to, or is referred to by, another that does not allow it.",
                "该资源与其他资源的引用关系不允许此操作。"
            )),
            DbError::Query(DieselError::DatabaseError(
                DatabaseErrorKind::SerializationFailure,
                _,
            )) => ApiError::unavailable(text!(
                "A concurrent change got in the way; please retry.",
                "并发修改冲突，请重试。"
            ))
            .with_source(err),
            DbError::Query(DieselError::DatabaseError(_, info))
                if info.message().contains("database is locked")
                    || info.message().contains("busy") =>
            {
                ApiError::unavailable(text!(
                    "The database is busy; please retry.",
                    "数据库繁忙，请重试。"
                ))
                .with_source(err)
            }
            DbError::Connect(_)
            | DbError::Busy
            | DbError::Query(DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _)) => {
                ApiError::unavailable(text!(
                    "The database is busy or unreachable; please retry.",
                    "数据库繁忙或不可达，请重试。"
                ))
                .with_source(err)
            }
            _ => ApiError::internal(err),
        }
    }
}

impl From<DieselError> for ApiError {
    fn from(err: DieselError) -> Self {
        DbError::from(err).into()
    }
}

impl From<CorruptRow> for ApiError {
    fn from(err: CorruptRow) -> Self {
        DbError::from(err).into()
    }
}
