//! The payloads of the contract's event table, version 1. They carry ids and what the
//! receivers need, no more personal data than that.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::envelope::EventData;

/// Adds every payload schema to an OpenAPI document, so integrators see what each event
/// type carries.
pub fn document(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::{PartialSchema, ToSchema};
    let components = doc.components.get_or_insert_with(Default::default);
    macro_rules! add {
        ($($t:ty),*) => {$(
            components.schemas.insert(<$t>::name().into_owned(), <$t>::schema());
        )*};
    }
    add!(
        DepartmentUpserted,
        EmployeeUpserted,
        EmployeeResigned,
        ResignationRescinded,
        ProjectUpserted,
        TeamMember,
        HandoverOpened,
        HandoverSuccessorAssigned,
        HandoverProgressed
    );
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct DepartmentUpserted {
    pub code: String,
    pub name: String,
    pub key: bool,
    pub min_project_members: i32,
}

impl EventData for DepartmentUpserted {
    const TYPE: &'static str = "department.upserted";
    fn subject(&self) -> String {
        format!("department/{}", self.code)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct EmployeeUpserted {
    pub employee_id: String,
    pub name: String,
    pub department_code: String,
    pub hire_date: Option<NaiveDate>,
    /// `active`, `leaving` or `left`.
    pub status: String,
    pub last_working_day: Option<NaiveDate>,
}

impl EventData for EmployeeUpserted {
    const TYPE: &'static str = "employee.upserted";
    fn subject(&self) -> String {
        format!("employee/{}", self.employee_id)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct EmployeeResigned {
    pub employee_id: String,
    pub department_code: String,
    pub notice_date: NaiveDate,
    pub last_working_day: NaiveDate,
    pub reason: Option<String>,
}

impl EventData for EmployeeResigned {
    const TYPE: &'static str = "employee.resigned";
    fn subject(&self) -> String {
        format!("employee/{}", self.employee_id)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct ResignationRescinded {
    pub employee_id: String,
}

impl EventData for ResignationRescinded {
    const TYPE: &'static str = "employee.resignation_rescinded";
    fn subject(&self) -> String {
        format!("employee/{}", self.employee_id)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct ProjectUpserted {
    pub project_id: String,
    pub name: String,
    pub status: String,
}

impl EventData for ProjectUpserted {
    const TYPE: &'static str = "project.upserted";
    fn subject(&self) -> String {
        format!("project/{}", self.project_id)
    }
}

/// Body of `team_member.added` and `team_member.removed`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct TeamMember {
    pub project_id: String,
    pub employee_id: String,
    pub department_code: String,
    pub role: String,
    pub backup_for: Option<String>,
}

/// `team_member.added`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(transparent)]
pub struct TeamMemberAdded(pub TeamMember);

impl EventData for TeamMemberAdded {
    const TYPE: &'static str = "team_member.added";
    fn subject(&self) -> String {
        format!("team_member/{}/{}", self.0.project_id, self.0.employee_id)
    }
}

/// `team_member.removed`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(transparent)]
pub struct TeamMemberRemoved(pub TeamMember);

impl EventData for TeamMemberRemoved {
    const TYPE: &'static str = "team_member.removed";
    fn subject(&self) -> String {
        format!("team_member/{}/{}", self.0.project_id, self.0.employee_id)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct HandoverOpened {
    pub handover_id: String,
    pub project_id: String,
    pub leaver_employee_id: String,
    pub department_code: String,
    pub last_working_day: NaiveDate,
    pub successor_employee_id: Option<String>,
}

impl EventData for HandoverOpened {
    const TYPE: &'static str = "handover.opened";
    fn subject(&self) -> String {
        format!("handover/{}", self.handover_id)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct HandoverSuccessorAssigned {
    pub handover_id: String,
    pub project_id: String,
    pub successor_employee_id: String,
    pub due_date: Option<NaiveDate>,
}

impl EventData for HandoverSuccessorAssigned {
    const TYPE: &'static str = "handover.successor_assigned";
    fn subject(&self) -> String {
        format!("handover/{}", self.handover_id)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct HandoverProgressed {
    pub handover_id: String,
    /// `training` or `acknowledgments`.
    pub part: String,
    pub done: i32,
    pub required: i32,
}

impl EventData for HandoverProgressed {
    const TYPE: &'static str = "handover.progressed";
    fn subject(&self) -> String {
        format!("handover/{}/{}", self.handover_id, self.part)
    }
}
