//! The two ways to cut a year into periods: calendar months, or 28-day periods numbered
//! from each year's Spring Festival (period 12 runs on to the day before the next one).

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::festival::{festival_before, spring_festival};

/// Days in each Spring Festival period but the last.
pub const FESTIVAL_PERIOD_DAYS: u64 = 28;
/// Periods in a lunar year on the festival basis (the last is 17 to 49 days long).
pub const FESTIVAL_PERIODS: usize = 13;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Calendar months 1-12.
    Calendar,
    /// 28-day periods from each year's Spring Festival date.
    SpringFestival,
}

/// The date lies outside the years the festival calendar covers (1901-2100).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfRange(pub NaiveDate);

/// A run of days `[start, end)` that all belong to one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub period: usize,
}

impl Basis {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "calendar" => Some(Self::Calendar),
            "spring_festival" => Some(Self::SpringFestival),
            _ => None,
        }
    }

    pub fn periods(self) -> usize {
        match self {
            Self::Calendar => 12,
            Self::SpringFestival => FESTIVAL_PERIODS,
        }
    }

    /// The period `date` falls in (0-based).
    pub fn period_of(self, date: NaiveDate) -> Result<usize, OutOfRange> {
        match self {
            Self::Calendar => Ok(date.month0() as usize),
            Self::SpringFestival => {
                let f = festival_before(date).ok_or(OutOfRange(date))?;
                let k = (date - f).num_days() as u64 / FESTIVAL_PERIOD_DAYS;
                Ok((k as usize).min(FESTIVAL_PERIODS - 1))
            }
        }
    }

    /// The first day of the period after the one `date` falls in.
    fn next_start(self, date: NaiveDate) -> Result<NaiveDate, OutOfRange> {
        let out = OutOfRange(date);
        match self {
            Self::Calendar => date
                .with_day(1)
                .and_then(|d| d.checked_add_months(Months::new(1)))
                .ok_or(out),
            Self::SpringFestival => {
                let f = festival_before(date).ok_or(out)?;
                let k = self.period_of(date)? as u64;
                if k + 1 < FESTIVAL_PERIODS as u64 {
                    f.checked_add_days(Days::new(FESTIVAL_PERIOD_DAYS * (k + 1)))
                        .ok_or(out)
                } else {
                    spring_festival(f.year() + 1).ok_or(out)
                }
            }
        }
    }

    /// `[from, to]` (both included) cut at every period boundary.
    pub fn segments(self, from: NaiveDate, to: NaiveDate) -> Result<Vec<Segment>, OutOfRange> {
        let mut out = Vec::new();
        let mut at = from;
        let stop = to.succ_opt().ok_or(OutOfRange(to))?;
        while at < stop {
            let end = self.next_start(at)?.min(stop);
            out.push(Segment {
                start: at,
                end,
                period: self.period_of(at)?,
            });
            at = end;
        }
        Ok(out)
    }

    /// The days of `period` in the year that starts in Gregorian `year` (the calendar
    /// year, or the lunar year opened by that year's festival), both included.
    pub fn dates_in(self, period: usize, year: i32) -> Option<(NaiveDate, NaiveDate)> {
        match self {
            Self::Calendar => {
                let start = NaiveDate::from_ymd_opt(year, period as u32 + 1, 1)?;
                let end = start.checked_add_months(Months::new(1))?.pred_opt()?;
                Some((start, end))
            }
            Self::SpringFestival => {
                let f = spring_festival(year)?;
                let start = f.checked_add_days(Days::new(FESTIVAL_PERIOD_DAYS * period as u64))?;
                let end = if period + 1 < FESTIVAL_PERIODS {
                    start.checked_add_days(Days::new(FESTIVAL_PERIOD_DAYS - 1))?
                } else {
                    spring_festival(year + 1)?.pred_opt()?
                };
                Some((start, end))
            }
        }
    }

    /// Every stretch of `period` that overlaps `[from, to]`, in date order.
    pub fn occurrences(
        self,
        period: usize,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<(NaiveDate, NaiveDate)> {
        (from.year() - 1..=to.year())
            .filter_map(|y| self.dates_in(period, y))
            .filter(|(s, e)| *e >= from && *s <= to)
            .collect()
    }

    /// A short English and Chinese name of a period.
    pub fn label(self, period: usize) -> (String, String) {
        match self {
            Self::Calendar => {
                const EN: [&str; 12] = [
                    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                    "Dec",
                ];
                (EN[period % 12].to_owned(), format!("{}月", period % 12 + 1))
            }
            Self::SpringFestival => {
                let first = period * 4;
                if period + 1 < FESTIVAL_PERIODS {
                    (
                        format!("weeks {}-{} after the Spring Festival", first, first + 3),
                        format!("春节后第 {}-{} 周", first, first + 3),
                    )
                } else {
                    (
                        format!("week {first} after the Spring Festival to the next one"),
                        format!("春节后第 {first} 周至下一个春节"),
                    )
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn festival_periods_are_counted_from_each_years_own_festival() {
        let b = Basis::SpringFestival;
        assert_eq!(b.period_of(d("2026-02-17")), Ok(0));
        assert_eq!(b.period_of(d("2026-03-16")), Ok(0));
        assert_eq!(b.period_of(d("2026-03-17")), Ok(1));
        // The day before the 2026 festival closes the lunar year 2025.
        assert_eq!(b.period_of(d("2026-02-16")), Ok(12));
        assert_eq!(
            b.dates_in(0, 2025),
            Some((d("2025-01-29"), d("2025-02-25")))
        );
        assert_eq!(b.dates_in(12, 2025).unwrap().1, d("2026-02-16"));
    }

    #[test]
    fn segments_cover_every_day_once_and_break_at_boundaries() {
        for basis in [Basis::Calendar, Basis::SpringFestival] {
            let segs = basis.segments(d("2020-01-10"), d("2023-06-30")).unwrap();
            let days: i64 = segs.iter().map(|s| (s.end - s.start).num_days()).sum();
            assert_eq!(days, (d("2023-06-30") - d("2020-01-10")).num_days() + 1);
            for w in segs.windows(2) {
                assert_eq!(w[0].end, w[1].start);
                assert_ne!(w[0].period, w[1].period);
            }
        }
    }

    #[test]
    fn dates_outside_the_festival_calendar_are_refused() {
        assert!(
            Basis::SpringFestival
                .segments(d("1899-01-01"), d("1902-01-01"))
                .is_err()
        );
        assert!(
            Basis::Calendar
                .segments(d("1899-01-01"), d("1902-01-01"))
                .is_ok()
        );
    }
}
