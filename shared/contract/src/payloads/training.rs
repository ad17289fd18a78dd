//! `training.progressed` and `catchup.overdue`: how far people are with the training
//! their project requires of them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::bounds::DoneAboveRequired;
use crate::{EmployeeId, EventData, EventType, HandoverId, ProjectId};

/// A person's count of required sessions done on a project changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "ProgressOnTheWire")]
pub struct TrainingProgressed {
    pub project_id: ProjectId,
    pub employee_id: EmployeeId,
    /// Never more than `sessions_required`.
    pub sessions_done: u32,
    pub sessions_required: u32,
}

/// The fields as read, before the two counts are compared.
#[derive(Deserialize)]
struct ProgressOnTheWire {
    project_id: ProjectId,
    employee_id: EmployeeId,
    sessions_done: u32,
    sessions_required: u32,
}

impl TryFrom<ProgressOnTheWire> for TrainingProgressed {
    type Error = DoneAboveRequired;

    fn try_from(wire: ProgressOnTheWire) -> Result<Self, Self::Error> {
        if wire.sessions_done > wire.sessions_required {
            return Err(DoneAboveRequired {
                done_field: "sessions_done",
                done: wire.sessions_done,
                required_field: "sessions_required",
                required: wire.sessions_required,
            });
        }
        Ok(Self {
            project_id: wire.project_id,
            employee_id: wire.employee_id,
            sessions_done: wire.sessions_done,
            sessions_required: wire.sessions_required,
        })
    }
}

impl EventData for TrainingProgressed {
    const TYPE: EventType = EventType::TrainingProgressed;
    fn subject(&self) -> String {
        format!("training/{}/{}", self.project_id, self.employee_id)
    }
}

/// A person has not caught up on required sessions by their due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CatchupOverdue {
    pub project_id: ProjectId,
    pub employee_id: EmployeeId,
    /// The handover that set the due date, if one did.
    #[serde(default)]
    pub handover_id: Option<HandoverId>,
    #[serde(with = "crate::date::bounded")]
    pub due_date: NaiveDate,
    pub sessions_left: u32,
}

impl EventData for CatchupOverdue {
    const TYPE: EventType = EventType::CatchupOverdue;
    fn subject(&self) -> String {
        format!("catchup/{}/{}", self.project_id, self.employee_id)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::payloads::testing::*;

    fn progressed() -> TrainingProgressed {
        TrainingProgressed {
            project_id: project(),
            employee_id: employee("E-1002"),
            sessions_done: 3,
            sessions_required: 4,
        }
    }

    fn overdue() -> CatchupOverdue {
        CatchupOverdue {
            project_id: project(),
            employee_id: employee("E-1002"),
            handover_id: Some(handover()),
            due_date: day(2025, 6, 20),
            sessions_left: 1,
        }
    }

    const PROGRESS_KEYS: [&str; 4] = [
        "project_id",
        "employee_id",
        "sessions_done",
        "sessions_required",
    ];
    const OVERDUE_KEYS: [&str; 5] = [
        "project_id",
        "employee_id",
        "handover_id",
        "due_date",
        "sessions_left",
    ];

    #[test]
    fn training_progress_with_more_sessions_done_than_required_is_refused() {
        let json = serde_json::to_value(progressed()).unwrap();
        let err = refused::<TrainingProgressed>(with(&json, "sessions_done", json!(5)));
        assert!(
            err.contains("sessions_done (5) must not be greater than sessions_required (4)"),
            "{err}"
        );
        refused::<TrainingProgressed>(with(&json, "sessions_required", json!(2)));
    }

    #[test]
    fn training_events_with_negative_counts_or_bad_ids_are_refused() {
        let json = serde_json::to_value(progressed()).unwrap();
        refused::<TrainingProgressed>(with(&json, "sessions_done", json!(-1)));
        refused::<TrainingProgressed>(with(&json, "project_id", json!("p-1")));
        let json = serde_json::to_value(overdue()).unwrap();
        refused::<CatchupOverdue>(with(&json, "sessions_left", json!(-3)));
        refused::<CatchupOverdue>(with(&json, "sessions_left", json!(4_294_967_296u64)));
        refused::<CatchupOverdue>(with(&json, "handover_id", json!("h-1")));
        refused::<CatchupOverdue>(with(&json, "employee_id", json!("../../x")));
        refused::<CatchupOverdue>(with(&json, "due_date", json!("1899-12-31")));
    }

    #[test]
    fn training_events_need_their_required_fields_and_ignore_unknown_ones() {
        let json = serde_json::to_value(progressed()).unwrap();
        assert_required_fields::<TrainingProgressed>(&json, &[]);
        let json = serde_json::to_value(overdue()).unwrap();
        assert_required_fields::<CatchupOverdue>(&json, &["handover_id"]);
    }

    #[test]
    fn training_events_round_trip_with_the_contract_field_names() {
        round_trip(&progressed(), &PROGRESS_KEYS);
        round_trip(&overdue(), &OVERDUE_KEYS);
        let without_handover = CatchupOverdue {
            handover_id: None,
            ..overdue()
        };
        let json = round_trip(&without_handover, &OVERDUE_KEYS);
        assert_eq!(json["handover_id"], json!(null));
    }

    #[test]
    fn training_subjects_name_the_project_and_the_person() {
        assert_eq!(progressed().subject(), format!("training/{PROJECT}/E-1002"));
        assert_eq!(overdue().subject(), format!("catchup/{PROJECT}/E-1002"));
    }
}
