//! One person's acknowledgment of one notice, and the counts other services read.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AckStatus {
    /// Still to be read and acknowledged.
    Pending,
    Acknowledged,
    /// The person left before acknowledging.
    NotRequired,
}

impl AckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AckStatus::Pending => "pending",
            AckStatus::Acknowledged => "acknowledged",
            AckStatus::NotRequired => "not_required",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(AckStatus::Pending),
            "acknowledged" => Some(AckStatus::Acknowledged),
            "not_required" => Some(AckStatus::NotRequired),
            _ => None,
        }
    }
}

/// A successor's progress: notices acknowledged out of those required (the ones not
/// closed as not required). 0 of 0 when there are none.
pub fn progress(statuses: impl IntoIterator<Item = AckStatus>) -> (u32, u32) {
    statuses
        .into_iter()
        .fold((0, 0), |(done, required), s| match s {
            AckStatus::Acknowledged => (done + 1, required + 1),
            AckStatus::Pending => (done, required + 1),
            AckStatus::NotRequired => (done, required),
        })
}

/// Days a notice published on `published_on` has waited by `today` (0 before).
pub fn days_pending(published_on: NaiveDate, today: NaiveDate) -> u32 {
    u32::try_from((today - published_on).num_days()).unwrap_or(0)
}

/// Whether a pending acknowledgment is overdue: `after_days` or more have passed.
pub fn is_overdue(published_on: NaiveDate, today: NaiveDate, after_days: u32) -> bool {
    days_pending(published_on, today) >= after_days
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn progress_counts_acknowledged_of_all_but_those_not_required() {
        use AckStatus::*;
        assert_eq!(progress([]), (0, 0));
        assert_eq!(progress([Pending, Acknowledged, NotRequired]), (1, 2));
        assert_eq!(progress([Acknowledged, Acknowledged]), (2, 2));
    }

    #[test]
    fn an_acknowledgment_is_overdue_from_the_configured_day_on() {
        assert!(!is_overdue(day(1), day(7), 7));
        assert!(is_overdue(day(1), day(8), 7));
        assert_eq!(days_pending(day(5), day(1)), 0);
    }

    #[test]
    fn statuses_read_back_what_they_write() {
        for s in [
            AckStatus::Pending,
            AckStatus::Acknowledged,
            AckStatus::NotRequired,
        ] {
            assert_eq!(AckStatus::parse(s.as_str()), Some(s));
        }
    }
}
