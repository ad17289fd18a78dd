//! Training-record's errors as problems: the one place they become what a caller reads.

use continuity_shared::{ApiError, FieldError, text};

use crate::service::TrainingError;

impl From<TrainingError> for ApiError {
    fn from(err: TrainingError) -> Self {
        match err {
            TrainingError::Invalid(fields) => ApiError::validation(fields),
            TrainingError::ProjectNotFound(id) => ApiError::not_found(text!(
                "Project `{id}` is not known here (yet): staffing publishes projects to training-record.",
                "项目 `{id}` 在此尚不存在：项目由 staffing 发布到 training-record。"
            )),
            TrainingError::EmployeeNotFound(id) => ApiError::not_found(text!(
                "Employee `{id}` is not known here.",
                "员工 `{id}` 在此不存在。"
            )),
            TrainingError::SessionNotFound(id) => ApiError::not_found(text!(
                "Training session `{id}` does not exist.",
                "培训场次 `{id}` 不存在。"
            )),
            TrainingError::MaterialNotFound(id) => ApiError::not_found(text!(
                "Material `{id}` does not exist.",
                "资料 `{id}` 不存在。"
            )),
            TrainingError::UploadNotFound(id) => ApiError::not_found(text!(
                "Upload `{id}` does not exist: it was finished long ago, terminated, or expired.",
                "上传 `{id}` 不存在：已完成多时、已终止或已过期。"
            )),
            TrainingError::UploadOffset { id, offset } => ApiError::conflict(text!(
                "Upload `{id}` is at offset {offset} (or still receiving another request): ask HEAD for the offset and continue from it.",
                "上传 `{id}` 当前偏移为 {offset}（或仍在接收另一个请求）：请用 HEAD 查询偏移后从该处继续。"
            )),
            TrainingError::WrongProgress(_) => ApiError::validation(vec![FieldError::new(
                "played",
                text!(
                    "only a video takes played intervals; mark slides and documents with {{\"read\": true}}",
                    "只有视频可报告播放区间；幻灯片和文档请用 {{\"read\": true}}"
                ),
            )]),
            TrainingError::Db(e) => e.into(),
            TrainingError::Platform(e) => e,
        }
    }
}
