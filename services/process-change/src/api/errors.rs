//! Process-change's errors as problems: the one place they become what a caller reads.

use continuity_shared::{ApiError, FieldError, text};

use crate::domain::notice::BundleRefusal;
use crate::service::PcError;

impl From<PcError> for ApiError {
    fn from(err: PcError) -> Self {
        match err {
            PcError::Invalid(fields) => ApiError::validation(fields),
            PcError::ChangeNotFound(id) => ApiError::not_found(text!(
                "Process change `{id}` does not exist.",
                "流程变更 `{id}` 不存在。"
            )),
            PcError::NoticeNotFound(id) => ApiError::not_found(text!(
                "Notice `{id}` does not exist.",
                "联络单 `{id}` 不存在。"
            )),
            PcError::ProjectNotFound(id) => ApiError::not_found(text!(
                "Project `{id}` does not exist (staffing has not published it).",
                "项目 `{id}` 不存在（staffing 尚未发布该项目）。"
            )),
            PcError::Illegal(t) => {
                let (from, action) = (t.from.as_str(), format!("{:?}", t.action).to_lowercase());
                ApiError::conflict(text!(
                    "A {from} process change cannot be {action}d.",
                    "状态为 {from} 的流程变更不能执行 {action}。"
                ))
            }
            PcError::Bundle(BundleRefusal::NotApproved(id, status)) => {
                let status = status.as_str();
                ApiError::conflict(text!(
                    "Process change `{id}` is {status}: a notice takes approved changes only.",
                    "流程变更 `{id}` 的状态为 {status}：联络单只能包含已批准的变更。"
                ))
            }
            PcError::Bundle(BundleRefusal::OtherProject(id)) => {
                ApiError::validation(vec![FieldError::new(
                    "change_ids",
                    text!(
                        "process change `{id}` belongs to another project",
                        "流程变更 `{id}` 属于其他项目"
                    ),
                )])
            }
            PcError::Bundle(BundleRefusal::SameStep(a, b)) => {
                ApiError::validation(vec![FieldError::new(
                    "change_ids",
                    text!(
                        "process changes `{a}` and `{b}` change the same process step",
                        "流程变更 `{a}` 与 `{b}` 修改的是同一流程步骤"
                    ),
                )])
            }
            PcError::NoticePublished(id) => ApiError::conflict(text!(
                "Notice `{id}` is already published; a correction is a newer change in a new notice.",
                "联络单 `{id}` 已发布；如需更正，请在新的联络单中发布新的变更。"
            )),
            PcError::NoticeNotPublished(id) => ApiError::conflict(text!(
                "Notice `{id}` is not published yet.",
                "联络单 `{id}` 尚未发布。"
            )),
            PcError::NotAsked(notice, employee) => ApiError::not_found(text!(
                "Notice `{notice}` asks no acknowledgment of employee `{employee}`.",
                "联络单 `{notice}` 未要求员工 `{employee}` 确认。"
            )),
            PcError::NotRequired(notice, employee) => ApiError::conflict(text!(
                "Employee `{employee}` left; the acknowledgment of notice `{notice}` is no longer required.",
                "员工 `{employee}` 已离职；无需再确认联络单 `{notice}`。"
            )),
            PcError::Db(e) => e.into(),
            PcError::Platform(e) => e,
        }
    }
}
