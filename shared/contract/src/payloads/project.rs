//! `project.upserted` and `team_member.*`: projects and their teams, as the owner of the
//! roster keeps them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    DepartmentCode, EmployeeId, EventData, EventType, Name, ProjectId, ProjectStatus, TeamRole,
};

/// A project was created or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProjectUpserted {
    pub project_id: ProjectId,
    pub name: Name,
    pub status: ProjectStatus,
    #[serde(with = "crate::date::bounded_opt", default)]
    pub planned_start: Option<NaiveDate>,
    #[serde(with = "crate::date::bounded_opt", default)]
    pub planned_go_live: Option<NaiveDate>,
    /// Months after go-live during which the team must stay covered; three years at most.
    #[serde(deserialize_with = "crate::bounds::u32_in::<_, 0, 36>")]
    #[schema(minimum = 0, maximum = 36)]
    pub stabilization_months: u32,
}

impl EventData for ProjectUpserted {
    const TYPE: EventType = EventType::ProjectUpserted;
    fn subject(&self) -> String {
        format!("project/{}", self.project_id)
    }
}

/// A person's place on a project team: the body of `team_member.added` and
/// `team_member.removed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TeamMember {
    pub project_id: ProjectId,
    pub employee_id: EmployeeId,
    pub department_code: DepartmentCode,
    pub role: TeamRole,
    /// The member this one stands in for, if any.
    #[serde(default)]
    pub backup_for: Option<EmployeeId>,
}

impl TeamMember {
    fn subject(&self) -> String {
        format!("team_member/{}/{}", self.project_id, self.employee_id)
    }
}

/// `team_member.added`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct TeamMemberAdded(pub TeamMember);

impl EventData for TeamMemberAdded {
    const TYPE: EventType = EventType::TeamMemberAdded;
    fn subject(&self) -> String {
        self.0.subject()
    }
}

/// `team_member.removed`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct TeamMemberRemoved(pub TeamMember);

impl EventData for TeamMemberRemoved {
    const TYPE: EventType = EventType::TeamMemberRemoved;
    fn subject(&self) -> String {
        self.0.subject()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::payloads::testing::*;

    fn sample() -> ProjectUpserted {
        ProjectUpserted {
            project_id: project(),
            name: name("CRM roll-out"),
            status: ProjectStatus::InProgress,
            planned_start: Some(day(2025, 3, 1)),
            planned_go_live: Some(day(2025, 9, 1)),
            stabilization_months: 3,
        }
    }

    fn member() -> TeamMember {
        TeamMember {
            project_id: project(),
            employee_id: employee("E-1001"),
            department_code: department("sales"),
            role: TeamRole::KeyUser,
            backup_for: Some(employee("E-1002")),
        }
    }

    const PROJECT_KEYS: [&str; 6] = [
        "project_id",
        "name",
        "status",
        "planned_start",
        "planned_go_live",
        "stabilization_months",
    ];
    const MEMBER_KEYS: [&str; 5] = [
        "project_id",
        "employee_id",
        "department_code",
        "role",
        "backup_for",
    ];

    #[test]
    fn a_project_whose_id_is_not_a_uuid_is_refused() {
        let json = serde_json::to_value(sample()).unwrap();
        for bad in ["p-1", "../../x", "", "0190a5c41b2c7d3e8f40123456789abc"] {
            let err = refused::<ProjectUpserted>(with(&json, "project_id", json!(bad)));
            assert!(err.contains("must be a UUID"), "{err}");
        }
    }

    #[test]
    fn a_project_with_a_bad_status_date_or_stabilization_period_is_refused() {
        let json = serde_json::to_value(sample()).unwrap();
        refused::<ProjectUpserted>(with(&json, "status", json!("done")));
        refused::<ProjectUpserted>(with(&json, "planned_go_live", json!("10000-01-01")));
        refused::<ProjectUpserted>(with(&json, "planned_start", json!("1899-12-31")));
        for bad in [json!(37), json!(-1), json!(4_294_967_296u64), json!("3")] {
            refused::<ProjectUpserted>(with(&json, "stabilization_months", bad));
        }
        let err = refused::<ProjectUpserted>(with(&json, "stabilization_months", json!(37)));
        assert!(err.contains("must be from 0 to 36, not 37"), "{err}");
    }

    #[test]
    fn a_team_member_with_a_bad_role_or_backup_is_refused() {
        let json = serde_json::to_value(member()).unwrap();
        refused::<TeamMemberAdded>(with(&json, "role", json!("owner")));
        refused::<TeamMemberAdded>(with(&json, "backup_for", json!("..")));
        refused::<TeamMemberRemoved>(with(&json, "project_id", json!("p-1")));
    }

    #[test]
    fn project_events_need_their_required_fields_and_ignore_unknown_ones() {
        let json = serde_json::to_value(sample()).unwrap();
        assert_required_fields::<ProjectUpserted>(&json, &["planned_start", "planned_go_live"]);
        let json = serde_json::to_value(member()).unwrap();
        assert_required_fields::<TeamMemberAdded>(&json, &["backup_for"]);
        assert_required_fields::<TeamMemberRemoved>(&json, &["backup_for"]);
    }

    #[test]
    fn project_events_round_trip_with_the_contract_field_names() {
        round_trip(&sample(), &PROJECT_KEYS);
        let unplanned = ProjectUpserted {
            planned_start: None,
            planned_go_live: None,
            stabilization_months: 0,
            ..sample()
        };
        round_trip(&unplanned, &PROJECT_KEYS);
        round_trip(&TeamMemberAdded(member()), &MEMBER_KEYS);
        let alone = TeamMember {
            backup_for: None,
            ..member()
        };
        round_trip(&TeamMemberRemoved(alone), &MEMBER_KEYS);
    }

    #[test]
    fn a_team_member_is_added_and_removed_under_one_subject() {
        let subject = format!("team_member/{PROJECT}/E-1001");
        assert_eq!(TeamMemberAdded(member()).subject(), subject);
        assert_eq!(TeamMemberRemoved(member()).subject(), subject);
        assert_eq!(sample().subject(), format!("project/{PROJECT}"));
    }
}
