//! Departments and their minimum project staffing.

use continuity_contract::{DepartmentCode, Name};
use continuity_shared::i18n::Text;
use continuity_shared::{FieldError, text};

/// A department of the company and how many effective members it owes the project team.
/// Serialized as the audit trail records it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Department {
    pub code: DepartmentCode,
    pub name: Name,
    /// A key department hurts the project when absent (sales, quality, after-sales).
    pub key: bool,
    pub min_project_members: u32,
}

pub const MAX_MIN_MEMBERS: u32 = 50;

impl Department {
    /// A department from what a client sent; the minimum defaults to 2 for a key
    /// department and 1 otherwise, as the domain asks.
    pub fn new(
        code: DepartmentCode,
        name: &str,
        key: bool,
        min_project_members: Option<u32>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = parse_name(name).map_err(|e| errors.push(e)).ok();
        let min = min_project_members.unwrap_or(if key { 2 } else { 1 });
        if !(1..=MAX_MIN_MEMBERS).contains(&min) {
            errors.push(FieldError::new(
                "min_project_members",
                text!(
                    "must be between 1 and {MAX_MIN_MEMBERS}",
                    "须在 1 到 {MAX_MIN_MEMBERS} 之间"
                ),
            ));
        }
        match name {
            Some(name) if errors.is_empty() => Ok(Self {
                code,
                name,
                key,
                min_project_members: min,
            }),
            _ => Err(errors),
        }
    }
}

/// A person's or department's name, as the contract's events carry it: trimmed, not
/// blank, at most 200 characters, no control characters.
pub fn parse_name(name: &str) -> Result<Name, FieldError> {
    Name::parse(name).map_err(|e| FieldError::new("name", Text::new(e.to_string(), e.zh())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code() -> DepartmentCode {
        DepartmentCode::parse("sales").unwrap()
    }

    #[test]
    fn a_key_department_needs_two_members_by_default() {
        assert_eq!(
            Department::new(code(), "Sales", true, None)
                .unwrap()
                .min_project_members,
            2
        );
        assert_eq!(
            Department::new(code(), "IT", false, None)
                .unwrap()
                .min_project_members,
            1
        );
    }

    #[test]
    fn an_explicit_minimum_wins_when_in_range() {
        assert_eq!(
            Department::new(code(), "Sales", true, Some(3))
                .unwrap()
                .min_project_members,
            3
        );
        let errors = Department::new(code(), "Sales", true, Some(0)).unwrap_err();
        assert_eq!(errors[0].field, "min_project_members");
    }

    #[test]
    fn a_blank_name_is_refused_and_names_are_trimmed() {
        assert_eq!(
            Department::new(code(), "   ", false, None).unwrap_err()[0].field,
            "name"
        );
        assert_eq!(
            Department::new(code(), " Sales ", false, None)
                .unwrap()
                .name
                .as_str(),
            "Sales"
        );
    }
}
