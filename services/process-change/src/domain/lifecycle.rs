//! The lifecycle of a process change, as one plain rule: which action moves which status
//! where, and who may take it. `draft` → `approved` → `published` (through a notice) →
//! `superseded` (when a newer change of the same process and step is published).

use continuity_contract::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a change stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    Draft,
    Approved,
    Published,
    Superseded,
}

impl ChangeStatus {
    pub const ALL: [ChangeStatus; 4] = [
        ChangeStatus::Draft,
        ChangeStatus::Approved,
        ChangeStatus::Published,
        ChangeStatus::Superseded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeStatus::Draft => "draft",
            ChangeStatus::Approved => "approved",
            ChangeStatus::Published => "published",
            ChangeStatus::Superseded => "superseded",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// What can be done to a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeAction {
    /// Change its fields.
    Edit,
    Approve,
    /// Publish it through a notice.
    Publish,
    /// Replace it by a newer published change of the same process and step (the service
    /// does this itself; no caller may).
    Supersede,
}

impl ChangeAction {
    pub const ALL: [ChangeAction; 4] = [
        ChangeAction::Edit,
        ChangeAction::Approve,
        ChangeAction::Publish,
        ChangeAction::Supersede,
    ];

    /// The roles that may take the action (an admin may take any a caller may).
    pub fn roles(self) -> &'static [Role] {
        match self {
            ChangeAction::Edit => &[Role::Documenter],
            ChangeAction::Approve => &[Role::Manager],
            ChangeAction::Publish => &[Role::Manager, Role::Documenter],
            ChangeAction::Supersede => &[],
        }
    }
}

/// The roles that record new changes.
pub const RECORDERS: &[Role] = &[Role::Documenter];

/// An action that the change's status does not allow (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IllegalTransition {
    pub from: ChangeStatus,
    pub action: ChangeAction,
}

/// The status `action` moves a change in status `from` to, or why it cannot.
pub fn transition(
    from: ChangeStatus,
    action: ChangeAction,
) -> Result<ChangeStatus, IllegalTransition> {
    use ChangeAction as A;
    use ChangeStatus as S;
    match (from, action) {
        (S::Draft, A::Edit) => Ok(S::Draft),
        (S::Draft, A::Approve) => Ok(S::Approved),
        (S::Approved, A::Publish) => Ok(S::Published),
        (S::Published, A::Supersede) => Ok(S::Superseded),
        _ => Err(IllegalTransition { from, action }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ChangeAction as A;
    use ChangeStatus as S;

    #[test]
    fn the_four_legal_moves_go_forward_one_step() {
        assert_eq!(transition(S::Draft, A::Edit), Ok(S::Draft));
        assert_eq!(transition(S::Draft, A::Approve), Ok(S::Approved));
        assert_eq!(transition(S::Approved, A::Publish), Ok(S::Published));
        assert_eq!(transition(S::Published, A::Supersede), Ok(S::Superseded));
    }

    #[test]
    fn every_other_pair_of_status_and_action_is_refused() {
        let legal = [
            (S::Draft, A::Edit),
            (S::Draft, A::Approve),
            (S::Approved, A::Publish),
            (S::Published, A::Supersede),
        ];
        for from in S::ALL {
            for action in A::ALL {
                if legal.contains(&(from, action)) {
                    continue;
                }
                assert_eq!(
                    transition(from, action),
                    Err(IllegalTransition { from, action }),
                    "{from:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn a_superseded_change_is_final() {
        for action in A::ALL {
            assert!(transition(S::Superseded, action).is_err());
        }
    }

    #[test]
    fn documenters_edit_managers_approve_either_publishes_and_nobody_supersedes() {
        assert_eq!(A::Edit.roles(), &[Role::Documenter]);
        assert_eq!(A::Approve.roles(), &[Role::Manager]);
        assert!(A::Publish.roles().contains(&Role::Manager));
        assert!(A::Publish.roles().contains(&Role::Documenter));
        assert!(A::Supersede.roles().is_empty());
        for role in [
            Role::Trainer,
            Role::Member,
            Role::Integration,
            Role::Service,
        ] {
            for action in A::ALL {
                assert!(!action.roles().contains(&role), "{role:?} {action:?}");
            }
        }
    }

    #[test]
    fn statuses_read_back_what_they_write() {
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
        assert_eq!(S::parse("Draft"), None);
    }
}
