//! Who receives which event: the contract's event table as data.

/// Events that staffing publishes and every other service copies or reacts to.
const FROM_STAFFING: [&str; 9] = [
    "department.upserted",
    "employee.upserted",
    "employee.resigned",
    "employee.resignation_rescinded",
    "project.upserted",
    "team_member.added",
    "team_member.removed",
    "handover.opened",
    "handover.successor_assigned",
];

/// The peer services that receive `event_type` when `source` publishes it.
pub fn peer_subscribers(source: &str, event_type: &str) -> &'static [&'static str] {
    match (source, event_type) {
        ("staffing", t) if FROM_STAFFING.contains(&t) => {
            &["training-record", "process-change", "scheduling"]
        }
        ("training-record" | "process-change", "handover.progressed") => &["staffing"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roster_events_reach_the_three_other_services() {
        assert_eq!(peer_subscribers("staffing", "employee.upserted").len(), 3);
        assert!(!peer_subscribers("staffing", "employee.upserted").contains(&"staffing"));
    }

    #[test]
    fn handover_progress_goes_back_to_staffing_only() {
        assert_eq!(
            peer_subscribers("training-record", "handover.progressed"),
            &["staffing"]
        );
        assert!(peer_subscribers("scheduling", "handover.progressed").is_empty());
    }
}
