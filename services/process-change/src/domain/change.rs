//! A process change: what a step of a business process was, what it becomes, why, for
//! which departments and from when.

use chrono::NaiveDate;
use continuity_contract::{DepartmentCode, Name, NoticeId, ProcessChangeId, ProjectId, Reason};
use continuity_shared::{FieldError, text};
use serde::Serialize;

use super::lifecycle::ChangeStatus;

/// The most departments one change may name.
pub const MAX_DEPARTMENTS: usize = 100;

/// What a documenter writes down, checked as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeFields {
    pub process: Name,
    pub step: Name,
    pub before: Reason,
    pub after: Reason,
    pub reason: Reason,
    /// Sorted, without repeats, at least one.
    pub departments: Vec<DepartmentCode>,
    pub effective_date: NaiveDate,
    pub recorded_by: Name,
}

impl ChangeFields {
    /// Refuses what each field alone cannot: no department, too many, or an `after`
    /// that changes nothing.
    #[allow(clippy::too_many_arguments)] // one argument per field of the change
    pub fn new(
        process: Name,
        step: Name,
        before: Reason,
        after: Reason,
        reason: Reason,
        mut departments: Vec<DepartmentCode>,
        effective_date: NaiveDate,
        recorded_by: Name,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        departments.sort();
        departments.dedup();
        if departments.is_empty() {
            errors.push(FieldError::new(
                "departments",
                text!("must name at least one department", "须至少指定一个部门"),
            ));
        }
        if departments.len() > MAX_DEPARTMENTS {
            errors.push(FieldError::new(
                "departments",
                text!(
                    "may name at most {MAX_DEPARTMENTS} departments",
                    "最多可指定 {MAX_DEPARTMENTS} 个部门"
                ),
            ));
        }
        if before == after {
            errors.push(FieldError::new(
                "after",
                text!("must differ from `before`", "须与 `before` 不同"),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            process,
            step,
            before,
            after,
            reason,
            departments,
            effective_date,
            recorded_by,
        })
    }
}

/// A recorded change and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcessChange {
    pub change_id: ProcessChangeId,
    pub project_id: ProjectId,
    #[serde(flatten)]
    pub fields: ChangeFields,
    pub status: ChangeStatus,
    /// The notice that published it.
    pub notice_id: Option<NoticeId>,
    /// The newer change that replaced it.
    pub superseded_by: Option<ProcessChangeId>,
}

impl ProcessChange {
    /// Whether it is the process's current way of working (published, not superseded).
    pub fn is_current(&self) -> bool {
        self.status == ChangeStatus::Published
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Name {
        Name::parse(s).unwrap()
    }
    fn reason(s: &str) -> Reason {
        Reason::parse(s).unwrap()
    }
    fn dept(s: &str) -> DepartmentCode {
        DepartmentCode::parse(s).unwrap()
    }
    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
    }

    #[test]
    fn departments_are_sorted_and_repeats_dropped() {
        let f = ChangeFields::new(
            name("Order"),
            name("Approve"),
            reason("paper"),
            reason("CRM"),
            reason("faster"),
            vec![dept("sales"), dept("quality"), dept("sales")],
            day(),
            name("doc"),
        )
        .unwrap();
        assert_eq!(f.departments, vec![dept("quality"), dept("sales")]);
    }

    #[test]
    fn no_department_and_an_unchanged_step_are_both_reported() {
        let errors = ChangeFields::new(
            name("Order"),
            name("Approve"),
            reason("same"),
            reason("same"),
            reason("why"),
            vec![],
            day(),
            name("doc"),
        )
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["departments", "after"]);
    }
}
