//! `schedule.risk_changed`: a project's planned dates moved to another risk level.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{EventData, EventType, ProjectId, Reason, RiskLevel};

/// The risk that a key department falls below its minimum changed level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScheduleRiskChanged {
    pub project_id: ProjectId,
    /// `null` the first time the project is scored.
    #[serde(default)]
    pub old_level: Option<RiskLevel>,
    pub new_level: RiskLevel,
    /// Probability that a key department falls below its minimum, from 0 to 1.
    #[serde(deserialize_with = "crate::bounds::probability")]
    #[schema(minimum = 0, maximum = 1)]
    pub breach_probability: f64,
    /// The main reasons, in words; at most 20.
    #[serde(deserialize_with = "crate::bounds::at_most::<_, _, 20>")]
    #[schema(max_items = 20)]
    pub reasons: Vec<Reason>,
}

impl EventData for ScheduleRiskChanged {
    const TYPE: EventType = EventType::ScheduleRiskChanged;
    fn subject(&self) -> String {
        format!("schedule/{}", self.project_id)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::payloads::testing::*;

    fn sample() -> ScheduleRiskChanged {
        ScheduleRiskChanged {
            project_id: project(),
            old_level: Some(RiskLevel::Low),
            new_level: RiskLevel::High,
            breach_probability: 0.42,
            reasons: vec![reason("Go-live falls after the Spring Festival peak.")],
        }
    }

    const KEYS: [&str; 5] = [
        "project_id",
        "old_level",
        "new_level",
        "breach_probability",
        "reasons",
    ];

    #[test]
    fn a_probability_outside_0_to_1_or_not_a_number_is_refused() {
        let json = serde_json::to_value(sample()).unwrap();
        for bad in [
            json!(1.5),
            json!(-0.01),
            json!("NaN"),
            json!("0.5"),
            json!(null),
        ] {
            refused::<ScheduleRiskChanged>(with(&json, "breach_probability", bad));
        }
        let err = refused::<ScheduleRiskChanged>(with(&json, "breach_probability", json!(1.5)));
        assert!(
            err.contains("must be a number from 0 to 1, not 1.5"),
            "{err}"
        );
        let not_a_number = ScheduleRiskChanged {
            breach_probability: f64::NAN,
            ..sample()
        };
        assert!(
            not_a_number.encode().is_err(),
            "a producer must not emit NaN"
        );
    }

    #[test]
    fn more_than_twenty_reasons_or_a_bad_reason_is_refused() {
        let json = serde_json::to_value(sample()).unwrap();
        let many: Vec<_> = (0..21).map(|i| format!("reason {i}")).collect();
        let err = refused::<ScheduleRiskChanged>(with(&json, "reasons", json!(many)));
        assert!(err.contains("at most 20 items"), "{err}");
        refused::<ScheduleRiskChanged>(with(&json, "reasons", json!([""])));
        refused::<ScheduleRiskChanged>(with(&json, "reasons", json!(["a\u{0}b"])));
        refused::<ScheduleRiskChanged>(with(&json, "reasons", json!("one reason")));
        refused::<ScheduleRiskChanged>(with(&json, "new_level", json!("critical")));
        refused::<ScheduleRiskChanged>(with(&json, "project_id", json!("p-1")));
    }

    #[test]
    fn a_risk_change_needs_its_required_fields_and_ignores_unknown_ones() {
        let json = serde_json::to_value(sample()).unwrap();
        assert_required_fields::<ScheduleRiskChanged>(&json, &["old_level"]);
    }

    #[test]
    fn a_risk_change_round_trips_with_the_contract_field_names() {
        round_trip(&sample(), &KEYS);
        let first = ScheduleRiskChanged {
            old_level: None,
            new_level: RiskLevel::Low,
            breach_probability: 0.0,
            reasons: (0..20).map(|i| reason(&format!("reason {i}"))).collect(),
            ..sample()
        };
        round_trip(&first, &KEYS);
        assert_eq!(first.subject(), format!("schedule/{PROJECT}"));
    }
}
