//! Diesel and pool errors mapped to API errors, in this one place.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::error::ApiError;
use crate::text;

impl From<DieselError> for ApiError {
    fn from(err: DieselError) -> Self {
        match err {
            DieselError::NotFound => {
                ApiError::not_found(text!("The resource does not exist.", "资源不存在。"))
            }
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ApiError::conflict(text!("The resource already exists.", "资源已存在。"))
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                ApiError::conflict(text!(
                    "The resource refers to, or is referred to by, another that does not allow it.",
                    "该资源与其他资源的引用关系不允许此操作。"
                ))
            }
            DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                ApiError::unavailable(text!(
                    "A concurrent change got in the way; please retry.",
                    "并发修改冲突，请重试。"
                ))
            }
            DieselError::DatabaseError(_, info)
                if info.message().contains("database is locked")
                    || info.message().contains("busy") =>
            {
                tracing::warn!(error = info.message(), "database busy");
                ApiError::unavailable(text!(
                    "The database is busy; please retry.",
                    "数据库繁忙，请重试。"
                ))
            }
            other => ApiError::internal(format!("database: {other}")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        tracing::warn!(error = %err, "no database connection available");
        ApiError::unavailable(text!(
            "The database is busy or unreachable; please retry.",
            "数据库繁忙或不可达，请重试。"
        ))
    }
}
