//! Project teams: who is on a project, for which department, in which role.

use chrono::NaiveDate;
use continuity_contract::{DepartmentCode, EmployeeId, ProjectId, TeamRole};
use continuity_shared::{FieldError, text};

/// A person's place on a project team; serialized as the audit trail records it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TeamMember {
    pub project_id: ProjectId,
    pub employee_id: EmployeeId,
    /// The department the member represents on this project.
    pub department_code: DepartmentCode,
    pub role: TeamRole,
    /// The member this one stands in for.
    pub backup_for: Option<EmployeeId>,
    /// The company's date the member joined the team: not on it before.
    pub joined_on: NaiveDate,
}

impl TeamMember {
    /// The fields a client may set; nobody is their own backup.
    pub fn check_backup(
        employee_id: &EmployeeId,
        backup_for: Option<&EmployeeId>,
    ) -> Result<(), FieldError> {
        match backup_for {
            Some(b) if b == employee_id => Err(FieldError::new(
                "backup_for",
                text!(
                    "a member cannot be their own backup",
                    "成员不能做自己的备份"
                ),
            )),
            _ => Ok(()),
        }
    }

    /// The same place with what a client may change replaced; `None` when nothing changes.
    pub fn changed(
        &self,
        department_code: &DepartmentCode,
        role: TeamRole,
        backup_for: Option<&EmployeeId>,
    ) -> Option<Self> {
        let same = self.department_code == *department_code
            && self.role == role
            && self.backup_for.as_ref() == backup_for;
        (!same).then(|| Self {
            department_code: department_code.clone(),
            role,
            backup_for: backup_for.cloned(),
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobody_backs_up_themselves() {
        let me = EmployeeId::parse("E-1").unwrap();
        let other = EmployeeId::parse("E-2").unwrap();
        assert!(TeamMember::check_backup(&me, Some(&me)).is_err());
        assert!(TeamMember::check_backup(&me, Some(&other)).is_ok());
        assert!(TeamMember::check_backup(&me, None).is_ok());
    }

    #[test]
    fn an_unchanged_place_is_no_change() {
        let m = TeamMember {
            project_id: ProjectId::new(),
            employee_id: EmployeeId::parse("E-1").unwrap(),
            department_code: DepartmentCode::parse("sales").unwrap(),
            role: TeamRole::KeyUser,
            backup_for: None,
            joined_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        };
        assert_eq!(m.changed(&m.department_code, m.role, None), None);
        let moved = m
            .changed(&m.department_code, TeamRole::Member, None)
            .unwrap();
        assert_eq!(moved.role, TeamRole::Member);
        assert_eq!(moved.joined_on, m.joined_on);
    }
}
