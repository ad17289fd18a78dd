//! The closed sets of values the payloads carry. A value outside a set is refused when
//! read, never mapped to a default.

use crate::string_enum::string_enum;

string_enum! {
    /// Where a person stands with the company.
    pub enum EmployeeStatus {
        Active = "active",
        /// Has resigned and has a last working day still to come.
        Leaving = "leaving",
        Left = "left",
    }
}

string_enum! {
    /// Where a project stands.
    pub enum ProjectStatus {
        Planned = "planned",
        InProgress = "in_progress",
        Live = "live",
        Closed = "closed",
    }
}

string_enum! {
    /// What a person does on a project team.
    pub enum TeamRole {
        KeyUser = "key_user",
        Member = "member",
        Manager = "manager",
        Documenter = "documenter",
        Trainer = "trainer",
    }
}

string_enum! {
    /// How well a department is covered on a project on a date, declared worst first so
    /// that the derived order sorts the worst first.
    #[derive(PartialOrd, Ord)]
    pub enum CoverageStatus {
        /// Fewer effective members than required.
        Breached = "breached",
        /// Exactly one effective member.
        SinglePoint = "single_point",
        /// An effective member leaves before the project has settled, or a member is
        /// still settling in.
        AtRisk = "at_risk",
        Ok = "ok",
    }
}

impl CoverageStatus {
    /// The worst of `statuses`; `None` when there are none.
    pub fn worst(statuses: impl IntoIterator<Item = Self>) -> Option<Self> {
        statuses.into_iter().min()
    }
}

string_enum! {
    /// The parts of a handover that other services report progress on.
    pub enum HandoverPart {
        /// Training sessions the successor must catch up on.
        Training = "training",
        /// Notices of process changes the successor must acknowledge.
        Acknowledgments = "acknowledgments",
    }
}

string_enum! {
    /// Where a handover stands: `open` until a successor is assigned, `in_progress` once
    /// the successor's progress is first reported, then `completed` or `cancelled`.
    pub enum HandoverStatus {
        Open = "open",
        SuccessorAssigned = "successor_assigned",
        InProgress = "in_progress",
        Completed = "completed",
        /// The resignation was rescinded.
        Cancelled = "cancelled",
    }
}

impl HandoverStatus {
    /// Completed and cancelled handovers change no more.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Completed | Self::Cancelled)
    }
}

string_enum! {
    /// How likely a project's schedule is to leave a key department short.
    #[derive(PartialOrd, Ord)]
    pub enum RiskLevel {
        Low = "low",
        Medium = "medium",
        High = "high",
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;
    use serde::de::DeserializeOwned;

    use super::*;

    /// Every value of a set writes its `as_str` name, reads back, and parses back.
    fn assert_closed_set<T>(all: &[T], names: &[&str])
    where
        T: Copy + PartialEq + std::fmt::Debug + Serialize + DeserializeOwned + ToString,
    {
        assert_eq!(all.len(), names.len());
        for (value, name) in all.iter().zip(names) {
            assert_eq!(serde_json::to_value(value).unwrap(), *name);
            assert_eq!(value.to_string(), *name);
            let back: T = serde_json::from_value(serde_json::json!(name)).unwrap();
            assert_eq!(back, *value);
        }
    }

    #[test]
    fn every_set_is_written_in_snake_case_as_the_contract_names_it() {
        assert_closed_set(&EmployeeStatus::ALL, &["active", "leaving", "left"]);
        assert_closed_set(
            &ProjectStatus::ALL,
            &["planned", "in_progress", "live", "closed"],
        );
        assert_closed_set(
            &TeamRole::ALL,
            &["key_user", "member", "manager", "documenter", "trainer"],
        );
        assert_closed_set(
            &CoverageStatus::ALL,
            &["breached", "single_point", "at_risk", "ok"],
        );
        assert_closed_set(&HandoverPart::ALL, &["training", "acknowledgments"]);
        assert_closed_set(
            &HandoverStatus::ALL,
            &[
                "open",
                "successor_assigned",
                "in_progress",
                "completed",
                "cancelled",
            ],
        );
        assert_closed_set(&RiskLevel::ALL, &["low", "medium", "high"]);
    }

    #[test]
    fn values_outside_a_set_are_refused_with_the_allowed_ones_named() {
        assert_eq!(EmployeeStatus::parse("pwned"), None);
        assert_eq!(ProjectStatus::parse("InProgress"), None);
        assert_eq!(TeamRole::parse("key-user"), None);
        let err = serde_json::from_str::<EmployeeStatus>("\"pwned\"").unwrap_err();
        assert!(
            err.to_string().contains("`active`, `leaving`, `left`"),
            "{err}"
        );
        assert!(serde_json::from_str::<RiskLevel>("1").is_err());
        assert!(serde_json::from_str::<RiskLevel>("null").is_err());
    }

    #[test]
    fn coverage_sorts_worst_first_and_worst_picks_the_worst() {
        let mut statuses = vec![
            CoverageStatus::Ok,
            CoverageStatus::AtRisk,
            CoverageStatus::Breached,
            CoverageStatus::SinglePoint,
        ];
        statuses.sort();
        assert_eq!(statuses, CoverageStatus::ALL);
        assert_eq!(
            CoverageStatus::worst([CoverageStatus::Ok, CoverageStatus::SinglePoint]),
            Some(CoverageStatus::SinglePoint)
        );
        assert_eq!(CoverageStatus::worst([]), None);
    }
}
