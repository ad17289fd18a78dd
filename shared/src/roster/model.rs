//! The copy's values, typed with the contract's newtypes. Rows become values through
//! `TryFrom`: a stored value that does not parse is an error, never a default.

use chrono::{NaiveDate, NaiveDateTime};
use continuity_contract::payloads::{
    DepartmentUpserted, EmployeeUpserted, ProjectUpserted, TeamMember,
};
use continuity_contract::{
    DepartmentCode, EmployeeId, EmployeeStatus, Name, ProjectId, ProjectStatus, TeamRole,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::db::{DepartmentRow, EmployeeRow, MemberRow, ProjectRow};
use crate::db::CorruptRow;

/// A department as the producer last described it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CopiedDepartment {
    pub code: DepartmentCode,
    pub name: Name,
    pub key: bool,
    pub min_project_members: u32,
}

/// An employee as the producer last described them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CopiedEmployee {
    pub employee_id: EmployeeId,
    pub name: Name,
    pub department_code: DepartmentCode,
    pub hire_date: Option<NaiveDate>,
    pub status: EmployeeStatus,
    pub last_working_day: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CopiedProject {
    pub project_id: ProjectId,
    pub name: Name,
    pub status: ProjectStatus,
    pub planned_start: Option<NaiveDate>,
    pub planned_go_live: Option<NaiveDate>,
    pub stabilization_months: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CopiedMember {
    pub project_id: ProjectId,
    pub employee_id: EmployeeId,
    pub department_code: DepartmentCode,
    pub role: TeamRole,
    pub backup_for: Option<EmployeeId>,
}

/// A copied value with when the copy last changed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Copied<T> {
    #[serde(flatten)]
    pub value: T,
    #[serde(with = "crate::timestamps::rfc3339")]
    #[schema(value_type = chrono::DateTime<chrono::Utc>)]
    pub updated_at: NaiveDateTime,
}

fn corrupt(table: &'static str, key: &str, column: &'static str) -> CorruptRow {
    CorruptRow::new(table, key, column)
}

impl TryFrom<DepartmentRow> for CopiedDepartment {
    type Error = CorruptRow;
    fn try_from(r: DepartmentRow) -> Result<Self, CorruptRow> {
        let bad = |c| corrupt("roster_departments", &r.code, c);
        Ok(Self {
            code: DepartmentCode::parse(&r.code).map_err(|_| bad("code"))?,
            name: Name::parse(&r.name).map_err(|_| bad("name"))?,
            key: r.is_key,
            min_project_members: u32::try_from(r.min_project_members)
                .map_err(|_| bad("min_project_members"))?,
        })
    }
}

impl TryFrom<EmployeeRow> for CopiedEmployee {
    type Error = CorruptRow;
    fn try_from(r: EmployeeRow) -> Result<Self, CorruptRow> {
        let bad = |c| corrupt("roster_employees", &r.employee_id, c);
        Ok(Self {
            employee_id: EmployeeId::parse(&r.employee_id).map_err(|_| bad("employee_id"))?,
            name: Name::parse(&r.name).map_err(|_| bad("name"))?,
            department_code: DepartmentCode::parse(&r.department_code)
                .map_err(|_| bad("department_code"))?,
            hire_date: r.hire_date,
            status: EmployeeStatus::parse(&r.status).ok_or_else(|| bad("status"))?,
            last_working_day: r.last_working_day,
        })
    }
}

impl TryFrom<ProjectRow> for CopiedProject {
    type Error = CorruptRow;
    fn try_from(r: ProjectRow) -> Result<Self, CorruptRow> {
        let bad = |c| corrupt("roster_projects", &r.project_id, c);
        Ok(Self {
            project_id: ProjectId::parse(&r.project_id).map_err(|_| bad("project_id"))?,
            name: Name::parse(&r.name).map_err(|_| bad("name"))?,
            status: ProjectStatus::parse(&r.status).ok_or_else(|| bad("status"))?,
            planned_start: r.planned_start,
            planned_go_live: r.planned_go_live,
            stabilization_months: u32::try_from(r.stabilization_months)
                .map_err(|_| bad("stabilization_months"))?,
        })
    }
}

impl TryFrom<MemberRow> for CopiedMember {
    type Error = CorruptRow;
    fn try_from(r: MemberRow) -> Result<Self, CorruptRow> {
        let key = format!("{}/{}", r.project_id, r.employee_id);
        let bad = |c| corrupt("roster_team_members", &key, c);
        Ok(Self {
            project_id: ProjectId::parse(&r.project_id).map_err(|_| bad("project_id"))?,
            employee_id: EmployeeId::parse(&r.employee_id).map_err(|_| bad("employee_id"))?,
            department_code: DepartmentCode::parse(&r.department_code)
                .map_err(|_| bad("department_code"))?,
            role: TeamRole::parse(&r.role).ok_or_else(|| bad("role"))?,
            backup_for: match r.backup_for.as_deref() {
                None => None,
                Some(b) => Some(EmployeeId::parse(b).map_err(|_| bad("backup_for"))?),
            },
        })
    }
}

impl From<DepartmentUpserted> for CopiedDepartment {
    fn from(d: DepartmentUpserted) -> Self {
        Self {
            code: d.code,
            name: d.name,
            key: d.key,
            min_project_members: d.min_project_members,
        }
    }
}

impl From<EmployeeUpserted> for CopiedEmployee {
    fn from(e: EmployeeUpserted) -> Self {
        Self {
            employee_id: e.employee_id,
            name: e.name,
            department_code: e.department_code,
            hire_date: e.hire_date,
            status: e.status,
            last_working_day: e.last_working_day,
        }
    }
}

impl From<ProjectUpserted> for CopiedProject {
    fn from(p: ProjectUpserted) -> Self {
        Self {
            project_id: p.project_id,
            name: p.name,
            status: p.status,
            planned_start: p.planned_start,
            planned_go_live: p.planned_go_live,
            stabilization_months: p.stabilization_months,
        }
    }
}

impl From<TeamMember> for CopiedMember {
    fn from(m: TeamMember) -> Self {
        Self {
            project_id: m.project_id,
            employee_id: m.employee_id,
            department_code: m.department_code,
            role: m.role,
            backup_for: m.backup_for,
        }
    }
}
