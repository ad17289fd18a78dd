//! Liaison notices (联络单): approved changes sent together to the departments they
//! affect, and the rules for bundling and publishing them.

use chrono::{DateTime, NaiveDate, Utc};
use continuity_contract::{DepartmentCode, Name, NoticeId, ProcessChangeId, ProjectId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::change::ProcessChange;
use super::lifecycle::ChangeStatus;

/// The most changes one notice may bundle.
pub const MAX_CHANGES: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeStatus {
    Draft,
    Published,
}

impl NoticeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeStatus::Draft => "draft",
            NoticeStatus::Published => "published",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "draft" => Some(NoticeStatus::Draft),
            "published" => Some(NoticeStatus::Published),
            _ => None,
        }
    }
}

/// A notice as stored; its changes are read beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub notice_id: NoticeId,
    pub project_id: ProjectId,
    /// Sequential across the installation, from 1: what people quote.
    pub number: i64,
    pub title: Name,
    pub status: NoticeStatus,
    pub change_ids: Vec<ProcessChangeId>,
    pub created_by: String,
    pub published_on: Option<NaiveDate>,
    pub published_at: Option<DateTime<Utc>>,
}

impl Notice {
    /// How people quote the notice: `LN-0007`.
    pub fn reference(&self) -> String {
        format!("LN-{:04}", self.number)
    }
}

/// Why a set of changes cannot make a notice, or be published by one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleRefusal {
    /// A change of another project.
    OtherProject(ProcessChangeId),
    /// A change that is not approved (a draft, or already published).
    NotApproved(ProcessChangeId, ChangeStatus),
    /// Two changes of the same process and step: which would be current?
    SameStep(ProcessChangeId, ProcessChangeId),
}

/// Checks that `changes` may be published together for `project`.
pub fn check_bundle(project: ProjectId, changes: &[ProcessChange]) -> Result<(), BundleRefusal> {
    for (i, c) in changes.iter().enumerate() {
        if c.project_id != project {
            return Err(BundleRefusal::OtherProject(c.change_id));
        }
        if c.status != ChangeStatus::Approved {
            return Err(BundleRefusal::NotApproved(c.change_id, c.status));
        }
        if let Some(other) = changes[..i]
            .iter()
            .find(|o| o.fields.process == c.fields.process && o.fields.step == c.fields.step)
        {
            return Err(BundleRefusal::SameStep(other.change_id, c.change_id));
        }
    }
    Ok(())
}

/// Whether publishing `newer` replaces `older`: a published change of the same project,
/// process and step.
pub fn supersedes(newer: &ProcessChange, older: &ProcessChange) -> bool {
    older.change_id != newer.change_id
        && older.status == ChangeStatus::Published
        && older.project_id == newer.project_id
        && older.fields.process == newer.fields.process
        && older.fields.step == newer.fields.step
}

/// The departments a notice goes to: every department any of its changes names, sorted.
pub fn departments(changes: &[ProcessChange]) -> Vec<DepartmentCode> {
    let mut all: Vec<_> = changes
        .iter()
        .flat_map(|c| c.fields.departments.iter().cloned())
        .collect();
    all.sort();
    all.dedup();
    all
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use continuity_contract::Reason;

    use super::*;
    use crate::domain::change::ChangeFields;

    fn change(
        project: ProjectId,
        step: &str,
        status: ChangeStatus,
        depts: &[&str],
    ) -> ProcessChange {
        ProcessChange {
            change_id: ProcessChangeId::new(),
            project_id: project,
            fields: ChangeFields {
                process: Name::parse("Order to cash").unwrap(),
                step: Name::parse(step).unwrap(),
                before: Reason::parse("a").unwrap(),
                after: Reason::parse("b").unwrap(),
                reason: Reason::parse("c").unwrap(),
                departments: depts
                    .iter()
                    .map(|d| DepartmentCode::parse(d).unwrap())
                    .collect(),
                effective_date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                recorded_by: Name::parse("doc").unwrap(),
            },
            status,
            notice_id: None,
            superseded_by: None,
        }
    }

    #[test]
    fn approved_changes_of_the_project_on_different_steps_bundle() {
        let p = ProjectId::new();
        let cs = [
            change(p, "a", ChangeStatus::Approved, &["sales"]),
            change(p, "b", ChangeStatus::Approved, &["quality", "sales"]),
        ];
        assert_eq!(check_bundle(p, &cs), Ok(()));
        let codes: Vec<_> = departments(&cs).iter().map(|d| d.to_string()).collect();
        assert_eq!(codes, ["quality", "sales"]);
    }

    #[test]
    fn drafts_published_changes_other_projects_and_repeated_steps_do_not() {
        let p = ProjectId::new();
        for status in [
            ChangeStatus::Draft,
            ChangeStatus::Published,
            ChangeStatus::Superseded,
        ] {
            let c = change(p, "a", status, &["sales"]);
            assert_eq!(
                check_bundle(p, std::slice::from_ref(&c)),
                Err(BundleRefusal::NotApproved(c.change_id, status))
            );
        }
        let other = change(ProjectId::new(), "a", ChangeStatus::Approved, &["sales"]);
        assert!(matches!(
            check_bundle(p, &[other]),
            Err(BundleRefusal::OtherProject(_))
        ));
        let twice = [
            change(p, "a", ChangeStatus::Approved, &["sales"]),
            change(p, "a", ChangeStatus::Approved, &["sales"]),
        ];
        assert!(matches!(
            check_bundle(p, &twice),
            Err(BundleRefusal::SameStep(..))
        ));
    }

    #[test]
    fn a_newer_change_supersedes_only_the_published_one_of_its_step() {
        let p = ProjectId::new();
        let newer = change(p, "a", ChangeStatus::Approved, &["sales"]);
        assert!(supersedes(
            &newer,
            &change(p, "a", ChangeStatus::Published, &["it"])
        ));
        assert!(!supersedes(
            &newer,
            &change(p, "b", ChangeStatus::Published, &["sales"])
        ));
        assert!(!supersedes(
            &newer,
            &change(p, "a", ChangeStatus::Approved, &["sales"])
        ));
        assert!(!supersedes(
            &newer,
            &change(ProjectId::new(), "a", ChangeStatus::Published, &["sales"])
        ));
        assert!(!supersedes(&newer, &newer.clone()));
    }
}
