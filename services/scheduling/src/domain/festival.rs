//! Spring Festival dates (the first day of the first lunar month) from the
//! `chinese-lunisolar-calendar` crate, which covers the Gregorian years 1901 to 2100.

use chinese_lunisolar_calendar::LunisolarDate;
use chrono::{Datelike, NaiveDate};

/// The first and last Gregorian years with a known festival date.
pub const FIRST_YEAR: i32 = 1901;
pub const LAST_YEAR: i32 = 2100;

/// The Spring Festival of Gregorian year `year`, if the calendar covers it.
pub fn spring_festival(year: i32) -> Option<NaiveDate> {
    let year = u16::try_from(year).ok()?;
    LunisolarDate::from_ymd(year, 1, false, 1)
        .ok()
        .map(|d| d.to_naive_date())
}

/// The festival that opened the lunar year `date` falls in.
pub fn festival_before(date: NaiveDate) -> Option<NaiveDate> {
    let this = spring_festival(date.year())?;
    if date >= this {
        Some(this)
    } else {
        spring_festival(date.year() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_festival_dates_2020_to_2030_are_the_published_ones() {
        let known = [
            "2020-01-25",
            "2021-02-12",
            "2022-02-01",
            "2023-01-22",
            "2024-02-10",
            "2025-01-29",
            "2026-02-17",
            "2027-02-06",
            "2028-01-26",
            "2029-02-13",
            "2030-02-03",
        ];
        for (i, k) in known.iter().enumerate() {
            assert_eq!(spring_festival(2020 + i as i32), Some(d(k)), "{k}");
        }
    }

    #[test]
    fn both_ends_of_the_supported_range_are_known_and_beyond_them_nothing() {
        // 1901-02-19 and 2100-02-09 (Hong Kong Observatory's tables).
        assert_eq!(spring_festival(FIRST_YEAR), Some(d("1901-02-19")));
        assert_eq!(spring_festival(LAST_YEAR), Some(d("2100-02-09")));
        assert_eq!(spring_festival(1900), None);
        assert_eq!(spring_festival(2101), None);
    }

    #[test]
    fn a_january_day_before_the_festival_belongs_to_the_previous_lunar_year() {
        assert_eq!(festival_before(d("2026-02-16")), Some(d("2025-01-29")));
        assert_eq!(festival_before(d("2026-02-17")), Some(d("2026-02-17")));
        assert_eq!(festival_before(d("1901-01-01")), None);
    }
}
