//! Staffing's errors as problems: the one place they become what a caller reads.

use continuity_shared::{ApiError, FieldError, text};

use crate::service::StaffingError;

impl From<StaffingError> for ApiError {
    fn from(err: StaffingError) -> Self {
        match err {
            StaffingError::Invalid(fields) => ApiError::validation(fields),
            StaffingError::DepartmentNotFound(code) => ApiError::not_found(text!(
                "Department `{code}` does not exist.",
                "部门 `{code}` 不存在。"
            )),
            StaffingError::EmployeeNotFound(id) => ApiError::not_found(text!(
                "Employee `{id}` does not exist.",
                "员工 `{id}` 不存在。"
            )),
            StaffingError::ProjectNotFound(id) => ApiError::not_found(text!(
                "Project `{id}` does not exist.",
                "项目 `{id}` 不存在。"
            )),
            StaffingError::MemberNotFound(project, id) => ApiError::not_found(text!(
                "Employee `{id}` is not on project `{project}`.",
                "员工 `{id}` 不在项目 `{project}` 中。"
            )),
            StaffingError::HandoverNotFound(id) => ApiError::not_found(text!(
                "Handover `{id}` does not exist.",
                "交接 `{id}` 不存在。"
            )),
            StaffingError::Handover(refusal) => ApiError::conflict(refusal.text()),
            StaffingError::HrEventNotFound(id) => ApiError::not_found(text!(
                "HR event `{id}` does not exist.",
                "HR 事件 `{id}` 不存在。"
            )),
            StaffingError::HrEventApplied(id) => ApiError::conflict(text!(
                "HR event `{id}` has already been applied; only an unmatched event can be replayed.",
                "HR 事件 `{id}` 已应用；只有未匹配的事件可以重放。"
            )),
            StaffingError::ConcurrentChange => ApiError::conflict(text!(
                "Another request changed this at the same time; read it again and retry.",
                "另一个请求同时修改了它；请重新读取后重试。"
            )),
            StaffingError::UnknownSubscriber(name) => ApiError::validation(vec![FieldError::new(
                "subscriber",
                text!(
                    "`{name}` is not a service that staffing delivers to",
                    "`{name}` 不是 staffing 投递事件的服务"
                ),
            )]),
            StaffingError::Db(e) => e.into(),
            StaffingError::Platform(e) => e,
        }
    }
}
