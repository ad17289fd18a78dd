//! When a job is due: the slot it owes at a given instant. A slot is an instant, the same
//! on every replica, so that the database can tell whether it was already run.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, NaiveTime, SubsecRound, TimeZone, Utc};
use chrono_tz::Tz;

/// How often a job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// Once a day at this wall-clock time in the company's time zone.
    Daily { at: NaiveTime },
    /// Once per period, counted from the Unix epoch (so `every hour` is on the hour).
    Every(Duration),
}

impl Schedule {
    /// The slot due at `now`: for a daily job the latest occurrence of its time at or
    /// before `now`; for a periodic one `now` rounded down to the period.
    pub fn slot(&self, now: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
        match *self {
            Schedule::Daily { at } => {
                let at = at.trunc_subsecs(6);
                let today = now.with_timezone(&tz).date_naive();
                let candidate = resolve_local(tz, today.and_time(at));
                if candidate <= now {
                    candidate
                } else {
                    let yesterday = today.pred_opt().unwrap_or(today);
                    resolve_local(tz, yesterday.and_time(at))
                }
            }
            Schedule::Every(period) => {
                // At least a second: finer periods make no sense for a schedule kept in
                // a database and would divide by zero.
                let period = i64::try_from(period.as_micros())
                    .unwrap_or(i64::MAX)
                    .max(1_000_000);
                let micros = now.timestamp_micros();
                let slot = micros - micros.rem_euclid(period);
                DateTime::from_timestamp_micros(slot).unwrap_or(now)
            }
        }
    }
}

/// A local wall-clock time as an instant. An hour that happens twice (clocks set back)
/// counts at its first occurrence; one that never happens (clocks set forward) counts
/// just after the gap, so the job still runs that day.
fn resolve_local(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    tz.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(local + chrono::Duration::hours(1)))
                .earliest()
        })
        .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn daily(hm: &str) -> Schedule {
        Schedule::Daily {
            at: hm.parse().unwrap(),
        }
    }

    #[test]
    fn a_daily_slot_is_the_latest_local_occurrence_at_or_before_now() {
        let tz = Tz::Asia__Shanghai;
        // 02:00 in Shanghai is 18:00 UTC the day before.
        let two = daily("02:00:00");
        assert_eq!(
            two.slot(at("2026-11-28T18:00:00Z"), tz),
            at("2026-11-28T18:00:00Z")
        );
        assert_eq!(
            two.slot(at("2026-11-28T17:59:59Z"), tz),
            at("2026-11-27T18:00:00Z")
        );
        assert_eq!(
            two.slot(at("2026-11-29T09:00:00Z"), tz),
            at("2026-11-28T18:00:00Z")
        );
    }

    #[test]
    fn a_daily_slot_in_a_skipped_hour_falls_just_after_the_gap() {
        // Berlin skipped 02:00-03:00 on 2026-03-29.
        let slot = daily("02:30:00").slot(at("2026-03-29T12:00:00Z"), Tz::Europe__Berlin);
        assert_eq!(slot, at("2026-03-29T01:30:00Z"));
    }

    #[test]
    fn a_daily_slot_in_a_repeated_hour_is_its_first_occurrence() {
        // Berlin went through 02:00-03:00 twice on 2026-10-25, first at UTC+2.
        let slot = daily("02:30:00").slot(at("2026-10-25T12:00:00Z"), Tz::Europe__Berlin);
        assert_eq!(slot, at("2026-10-25T00:30:00Z"));
    }

    #[test]
    fn a_periodic_slot_is_now_rounded_down_to_the_period() {
        let hourly = Schedule::Every(Duration::from_secs(3600));
        assert_eq!(
            hourly.slot(at("2026-11-28T10:59:59.999Z"), Tz::UTC),
            at("2026-11-28T10:00:00Z")
        );
        assert_eq!(
            hourly.slot(at("2026-11-28T11:00:00Z"), Tz::UTC),
            at("2026-11-28T11:00:00Z")
        );
    }

    #[test]
    fn a_period_under_a_second_counts_as_one_second() {
        let fast = Schedule::Every(Duration::ZERO);
        assert_eq!(
            fast.slot(at("2026-11-28T10:00:00.7Z"), Tz::UTC),
            at("2026-11-28T10:00:00Z")
        );
    }
}
