//! Time as the suite stores it: UTC, to the microsecond (PostgreSQL's precision), so a
//! value reads back the same from either backend. "Today" is read in the company's time
//! zone, one setting for the whole suite, through the [`Clock`] held in application state,
//! so that tests can set the time.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer};

/// The wall clock, to the microsecond. Prefer a [`Clock`] from application state: this
/// remains for the code that has not moved to it yet.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// A stored timestamp (UTC without zone) as an instant.
pub fn utc(stored: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(stored, Utc)
}

/// The suite's time zone when none is configured.
pub const DEFAULT_TIME_ZONE: Tz = Tz::Asia__Shanghai;

/// An IANA time zone name (`Asia/Shanghai`, `Europe/Berlin`, `UTC`) as a zone.
pub fn parse_time_zone(s: &str) -> Result<Tz, String> {
    s.trim()
        .parse::<Tz>()
        .map_err(|_| format!("{s:?} is not an IANA time zone name (such as Asia/Shanghai)"))
}

/// The `time_zone` setting: parsed when the settings are read, so a typo stops start-up
/// instead of shifting every "today" by hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(pub Tz);

impl Default for TimeZone {
    fn default() -> Self {
        Self(DEFAULT_TIME_ZONE)
    }
}

impl<'de> Deserialize<'de> for TimeZone {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        parse_time_zone(&name)
            .map(Self)
            .map_err(serde::de::Error::custom)
    }
}

/// Where "now" comes from, and the zone in which it becomes a calendar date. Cheap to
/// clone; clones of a manual clock share its time, so a test keeps one clone and moves
/// the time of the application that holds the other.
#[derive(Debug, Clone)]
pub struct Clock {
    source: Source,
    tz: Tz,
}

#[derive(Debug, Clone)]
enum Source {
    System,
    Manual(Arc<Mutex<DateTime<Utc>>>),
}

impl Clock {
    /// The machine's clock.
    pub fn system(tz: Tz) -> Self {
        Self {
            source: Source::System,
            tz,
        }
    }

    /// A clock that stands still at `start` until told otherwise (tests).
    pub fn manual(start: DateTime<Utc>, tz: Tz) -> Self {
        Self {
            source: Source::Manual(Arc::new(Mutex::new(start))),
            tz,
        }
    }

    /// Sets a manual clock (and all its clones) to `to`. A system clock cannot be set:
    /// this is a no-op there.
    pub fn set(&self, to: DateTime<Utc>) {
        match &self.source {
            Source::Manual(t) => *t.lock().unwrap_or_else(PoisonError::into_inner) = to,
            Source::System => tracing::warn!("tried to set the system clock; ignored"),
        }
    }

    /// Moves a manual clock (and all its clones) by `by`, forward or back. A no-op on a
    /// system clock.
    pub fn advance(&self, by: chrono::Duration) {
        match &self.source {
            Source::Manual(t) => *t.lock().unwrap_or_else(PoisonError::into_inner) += by,
            Source::System => tracing::warn!("tried to move the system clock; ignored"),
        }
    }

    /// Now, to the microsecond like every stored timestamp.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.source {
            Source::System => now(),
            Source::Manual(t) => t
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .trunc_subsecs(6),
        }
    }

    /// Today's date in the company's time zone, which is not the UTC date for part of
    /// every day.
    pub fn today(&self) -> NaiveDate {
        self.local(self.now()).date_naive()
    }

    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// An instant as the company's wall clock shows it.
    pub fn local(&self, at: DateTime<Utc>) -> DateTime<Tz> {
        at.with_timezone(&self.tz)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn today_is_the_company_date_not_the_utc_date() {
        let clock = Clock::manual(at("2026-11-28T17:00:00Z"), DEFAULT_TIME_ZONE);
        assert_eq!(clock.now().date_naive().to_string(), "2026-11-28");
        assert_eq!(clock.today().to_string(), "2026-11-29");
        assert_eq!(
            clock.local(clock.now()).to_rfc3339(),
            "2026-11-29T01:00:00+08:00"
        );
        clock.set(at("2026-11-28T15:59:59Z"));
        assert_eq!(clock.today().to_string(), "2026-11-28");
    }

    #[test]
    fn clones_of_a_manual_clock_share_its_time() {
        let test_side = Clock::manual(at("2026-11-28T08:00:00Z"), DEFAULT_TIME_ZONE);
        let app_side = test_side.clone();
        test_side.advance(chrono::Duration::hours(2));
        assert_eq!(app_side.now(), at("2026-11-28T10:00:00Z"));
        test_side.set(at("2027-01-01T00:00:00Z"));
        assert_eq!(app_side.now(), at("2027-01-01T00:00:00Z"));
    }

    #[test]
    fn now_is_truncated_to_microseconds() {
        let clock = Clock::manual(at("2026-11-28T08:00:00.123456789Z"), Tz::UTC);
        assert_eq!(clock.now(), at("2026-11-28T08:00:00.123456Z"));
        let system = Clock::system(Tz::UTC).now();
        assert_eq!(system.timestamp_subsec_nanos() % 1_000, 0);
    }

    #[test]
    fn time_zones_are_parsed_by_their_iana_names() {
        assert_eq!(parse_time_zone("Asia/Shanghai"), Ok(Tz::Asia__Shanghai));
        assert_eq!(parse_time_zone("UTC"), Ok(Tz::UTC));
        assert!(parse_time_zone("Mars/Olympus").is_err());
        assert!(parse_time_zone("").is_err());
    }

    #[test]
    fn the_time_zone_setting_defaults_to_shanghai_and_rejects_unknown_names() {
        assert_eq!(TimeZone::default().0, Tz::Asia__Shanghai);
        let ok: TimeZone = serde_json::from_str("\"Europe/Berlin\"").unwrap();
        assert_eq!(ok.0, Tz::Europe__Berlin);
        assert!(serde_json::from_str::<TimeZone>("\"Asia/Shangai\"").is_err());
    }
}
