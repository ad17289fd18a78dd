//! Scheduling's errors as problems: the one place they become what a caller reads.

use continuity_shared::{ApiError, text};

use crate::service::SchError;

impl From<SchError> for ApiError {
    fn from(err: SchError) -> Self {
        match err {
            SchError::Invalid(fields) => ApiError::validation(fields),
            SchError::ProjectNotFound(id) => ApiError::not_found(text!(
                "Project `{id}` is not known here (staffing has not published it).",
                "此处不存在项目 `{id}`（staffing 尚未发布该项目）。"
            )),
            SchError::Db(e) => e.into(),
            SchError::Platform(e) => e,
        }
    }
}
