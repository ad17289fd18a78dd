//! `handover.*`: handing a leaver's place on a project to a successor. The owner of the
//! roster opens, assigns, cancels and completes handovers; the services that track
//! training and acknowledgments report progress on their part.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::bounds::DoneAboveRequired;
use crate::{
    DepartmentCode, EmployeeId, EventData, EventType, HandoverId, HandoverPart, ProjectId, Reason,
};

/// A leaver's place on a project needs handing over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HandoverOpened {
    pub handover_id: HandoverId,
    pub project_id: ProjectId,
    pub leaver_employee_id: EmployeeId,
    pub department_code: DepartmentCode,
    #[serde(with = "crate::date::bounded")]
    pub last_working_day: NaiveDate,
    #[serde(with = "crate::date::bounded")]
    pub due_date: NaiveDate,
    /// A successor HR named, still to be confirmed.
    #[serde(default)]
    pub proposed_successor_employee_id: Option<EmployeeId>,
}

/// A successor was assigned and has until `due_date` to catch up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HandoverSuccessorAssigned {
    pub handover_id: HandoverId,
    pub project_id: ProjectId,
    pub department_code: DepartmentCode,
    pub successor_employee_id: EmployeeId,
    #[serde(with = "crate::date::bounded")]
    pub due_date: NaiveDate,
}

/// The handover is no longer needed (the leaver stays, say).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HandoverCancelled {
    pub handover_id: HandoverId,
    pub project_id: ProjectId,
    pub reason: Reason,
}

/// The handover is done; `forced` when it was closed with parts still open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HandoverCompleted {
    pub handover_id: HandoverId,
    pub project_id: ProjectId,
    pub forced: bool,
}

macro_rules! handover_subject {
    ($($t:ident),+) => {$(
        impl EventData for $t {
            const TYPE: EventType = EventType::$t;
            fn subject(&self) -> String {
                format!("handover/{}", self.handover_id)
            }
        }
    )+};
}
handover_subject!(
    HandoverOpened,
    HandoverSuccessorAssigned,
    HandoverCancelled,
    HandoverCompleted
);

/// How far the successor is with one part of a handover: sessions attended or notices
/// acknowledged, out of those required (0 of 0 when nothing is required).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "ProgressOnTheWire")]
pub struct HandoverProgressed {
    pub handover_id: HandoverId,
    pub part: HandoverPart,
    /// Never more than `required`.
    pub done: u32,
    pub required: u32,
}

/// The fields as read, before `done` is compared with `required`.
#[derive(Deserialize)]
struct ProgressOnTheWire {
    handover_id: HandoverId,
    part: HandoverPart,
    done: u32,
    required: u32,
}

impl TryFrom<ProgressOnTheWire> for HandoverProgressed {
    type Error = DoneAboveRequired;

    fn try_from(wire: ProgressOnTheWire) -> Result<Self, Self::Error> {
        if wire.done > wire.required {
            return Err(DoneAboveRequired {
                done_field: "done",
                done: wire.done,
                required_field: "required",
                required: wire.required,
            });
        }
        Ok(Self {
            handover_id: wire.handover_id,
            part: wire.part,
            done: wire.done,
            required: wire.required,
        })
    }
}

impl EventData for HandoverProgressed {
    const TYPE: EventType = EventType::HandoverProgressed;
    /// Per part, because two services report on one handover independently.
    fn subject(&self) -> String {
        format!("handover/{}/{}", self.handover_id, self.part)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::payloads::testing::*;

    fn opened() -> HandoverOpened {
        HandoverOpened {
            handover_id: handover(),
            project_id: project(),
            leaver_employee_id: employee("E-1001"),
            department_code: department("sales"),
            last_working_day: day(2025, 6, 30),
            due_date: day(2025, 6, 20),
            proposed_successor_employee_id: Some(employee("E-1002")),
        }
    }

    fn assigned() -> HandoverSuccessorAssigned {
        HandoverSuccessorAssigned {
            handover_id: handover(),
            project_id: project(),
            department_code: department("sales"),
            successor_employee_id: employee("E-1002"),
            due_date: day(2025, 6, 20),
        }
    }

    fn progressed() -> HandoverProgressed {
        HandoverProgressed {
            handover_id: handover(),
            part: HandoverPart::Training,
            done: 2,
            required: 5,
        }
    }

    #[test]
    fn progress_with_more_done_than_required_is_refused() {
        let json = serde_json::to_value(progressed()).unwrap();
        let err = refused::<HandoverProgressed>(with(&json, "done", json!(6)));
        assert!(
            err.contains("done (6) must not be greater than required (5)"),
            "{err}"
        );
        let too_much = HandoverProgressed {
            done: 6,
            ..progressed()
        };
        assert!(
            too_much.encode().is_err(),
            "a producer must not emit it either"
        );
    }

    #[test]
    fn progress_with_a_negative_count_or_an_unknown_part_is_refused() {
        let json = serde_json::to_value(progressed()).unwrap();
        refused::<HandoverProgressed>(with(&json, "done", json!(-1)));
        refused::<HandoverProgressed>(with(&json, "required", json!(-1)));
        refused::<HandoverProgressed>(with(&json, "required", json!(4_294_967_296u64)));
        refused::<HandoverProgressed>(with(&json, "part", json!("everything")));
        refused::<HandoverProgressed>(with(&json, "handover_id", json!("h-1")));
    }

    #[test]
    fn a_handover_with_bad_ids_dates_or_reason_is_refused() {
        let json = serde_json::to_value(opened()).unwrap();
        refused::<HandoverOpened>(with(&json, "handover_id", json!("../../x")));
        refused::<HandoverOpened>(with(&json, "leaver_employee_id", json!("..")));
        refused::<HandoverOpened>(with(&json, "proposed_successor_employee_id", json!(".")));
        refused::<HandoverOpened>(with(&json, "due_date", json!("10000-01-01")));
        let json = serde_json::to_value(assigned()).unwrap();
        refused::<HandoverSuccessorAssigned>(with(&json, "due_date", json!(null)));
        let cancelled = json!({"handover_id": HANDOVER, "project_id": PROJECT, "reason": ""});
        refused::<HandoverCancelled>(cancelled);
        let completed = json!({"handover_id": HANDOVER, "project_id": PROJECT, "forced": 1});
        refused::<HandoverCompleted>(completed);
    }

    #[test]
    fn handover_events_need_their_required_fields_and_ignore_unknown_ones() {
        let json = serde_json::to_value(opened()).unwrap();
        assert_required_fields::<HandoverOpened>(&json, &["proposed_successor_employee_id"]);
        let json = serde_json::to_value(assigned()).unwrap();
        assert_required_fields::<HandoverSuccessorAssigned>(&json, &[]);
        let json = json!({"handover_id": HANDOVER, "project_id": PROJECT, "reason": "stays"});
        assert_required_fields::<HandoverCancelled>(&json, &[]);
        let json = json!({"handover_id": HANDOVER, "project_id": PROJECT, "forced": false});
        assert_required_fields::<HandoverCompleted>(&json, &[]);
        let json = serde_json::to_value(progressed()).unwrap();
        assert_required_fields::<HandoverProgressed>(&json, &[]);
    }

    #[test]
    fn handover_events_round_trip_with_the_contract_field_names() {
        let opened_keys = [
            "handover_id",
            "project_id",
            "leaver_employee_id",
            "department_code",
            "last_working_day",
            "due_date",
            "proposed_successor_employee_id",
        ];
        round_trip(&opened(), &opened_keys);
        let unproposed = HandoverOpened {
            proposed_successor_employee_id: None,
            ..opened()
        };
        let json = round_trip(&unproposed, &opened_keys);
        assert_eq!(json["proposed_successor_employee_id"], json!(null));
        round_trip(
            &assigned(),
            &[
                "handover_id",
                "project_id",
                "department_code",
                "successor_employee_id",
                "due_date",
            ],
        );
        round_trip(
            &HandoverCancelled {
                handover_id: handover(),
                project_id: project(),
                reason: reason("The leaver stays."),
            },
            &["handover_id", "project_id", "reason"],
        );
        round_trip(
            &HandoverCompleted {
                handover_id: handover(),
                project_id: project(),
                forced: true,
            },
            &["handover_id", "project_id", "forced"],
        );
        round_trip(&progressed(), &["handover_id", "part", "done", "required"]);
        let nothing_required = HandoverProgressed {
            part: HandoverPart::Acknowledgments,
            done: 0,
            required: 0,
            ..progressed()
        };
        round_trip(
            &nothing_required,
            &["handover_id", "part", "done", "required"],
        );
    }

    #[test]
    fn handover_events_share_a_subject_and_progress_is_per_part() {
        let subject = format!("handover/{HANDOVER}");
        assert_eq!(opened().subject(), subject);
        assert_eq!(assigned().subject(), subject);
        assert_eq!(progressed().subject(), format!("{subject}/training"));
    }
}
