//! Calendar dates on the wire: `YYYY-MM-DD`, years 1900 to 9999 only.
//!
//! chrono alone would read `+10000-01-01` or year 1 and write back what other systems
//! (databases, spreadsheets, the HR system) cannot store. Use the helpers as
//! `#[serde(with = "continuity_contract::date::bounded")]` on a `NaiveDate` and
//! `#[serde(with = "continuity_contract::date::bounded_opt", default)]` on an
//! `Option<NaiveDate>`. Writing refuses the same dates reading does, so a producer cannot
//! emit what its consumers would refuse.

use chrono::{Datelike, NaiveDate};

pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 9999;

/// Why a date was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be a date written YYYY-MM-DD, from 1900-01-01 to 9999-12-31")]
pub struct DateError;

impl DateError {
    /// The same reason in Chinese.
    pub fn zh(self) -> &'static str {
        "须为 YYYY-MM-DD 格式的日期，介于 1900-01-01 与 9999-12-31 之间"
    }
}

/// Reads exactly `YYYY-MM-DD`: no sign, no time, no surrounding space.
pub fn parse(raw: &str) -> Result<NaiveDate, DateError> {
    let shaped = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shaped {
        return Err(DateError);
    }
    // The shape is checked, so the fields are digits: no need for a format parser (an
    // import of a million history rows read two dates a row through one).
    let number = |from: usize, to: usize| {
        raw.as_bytes()[from..to]
            .iter()
            .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'))
    };
    let year = i32::try_from(number(0, 4)).map_err(|_| DateError)?;
    let date = NaiveDate::from_ymd_opt(year, number(5, 7), number(8, 10)).ok_or(DateError)?;
    check(date)
}

/// `date` itself when its year is within 1900..=9999.
pub fn check(date: NaiveDate) -> Result<NaiveDate, DateError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        Ok(date)
    } else {
        Err(DateError)
    }
}

/// `date` written `YYYY-MM-DD`, when its year is within 1900..=9999. Written by hand, as
/// [`parse`] reads: chrono's formatter goes through `fmt` a character at a time, and a
/// catch-up plan writes a date for each of its sessions.
pub fn write(date: NaiveDate) -> Result<[u8; 10], DateError> {
    let date = check(date)?;
    let mut out = *b"0000-00-00";
    let mut digits = |from: usize, to: usize, mut n: u32| {
        for b in out[from..to].iter_mut().rev() {
            *b = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    digits(0, 4, date.year().unsigned_abs());
    digits(5, 7, date.month());
    digits(8, 10, date.day());
    Ok(out)
}

/// Serde helpers for a `NaiveDate` field.
pub mod bounded {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer, de, ser};

    pub fn serialize<S: Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        let written = super::write(*date).map_err(ser::Error::custom)?;
        s.serialize_str(std::str::from_utf8(&written).map_err(ser::Error::custom)?)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let raw = String::deserialize(d)?;
        super::parse(&raw).map_err(de::Error::custom)
    }
}

/// Serde helpers for an `Option<NaiveDate>` field; `null` is `None`. Pair with
/// `#[serde(default)]` so that an absent field is `None` too.
pub mod bounded_opt {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(date: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(date) => super::bounded::serialize(date, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|raw| super::parse(&raw).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Dated {
        #[serde(with = "bounded")]
        on: NaiveDate,
        #[serde(with = "bounded_opt", default)]
        until: Option<NaiveDate>,
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn dates_from_1900_to_9999_are_read_and_written_as_yyyy_mm_dd() {
        assert_eq!(parse("1900-01-01"), Ok(day(1900, 1, 1)));
        assert_eq!(parse("9999-12-31"), Ok(day(9999, 12, 31)));
        assert_eq!(parse("2024-02-29"), Ok(day(2024, 2, 29)));
        assert_eq!(parse("2031-10-07"), Ok(day(2031, 10, 7)));
        let value = Dated {
            on: day(2025, 2, 28),
            until: Some(day(2026, 1, 5)),
        };
        let json = serde_json::to_string(&value).unwrap();
        assert_eq!(json, r#"{"on":"2025-02-28","until":"2026-01-05"}"#);
        assert_eq!(serde_json::from_str::<Dated>(&json).unwrap(), value);
    }

    #[test]
    fn every_day_is_written_as_chrono_writes_it_and_read_back() {
        let mut date = day(1900, 1, 1);
        let mut checked = 0;
        while date.year() <= 9999 {
            let written = write(date).unwrap();
            let text = std::str::from_utf8(&written).unwrap();
            assert_eq!(text, date.format("%Y-%m-%d").to_string());
            assert_eq!(parse(text), Ok(date));
            checked += 1;
            // Every day of the first and last years, and a spread between.
            date = match date.year() {
                1900 | 9999 => date.succ_opt().unwrap(),
                _ => date + chrono::Days::new(37),
            };
        }
        assert!(checked > 100_000 / 37 + 2 * 365, "{checked}");
        assert_eq!(write(day(1899, 12, 31)), Err(DateError));
        assert_eq!(write(day(10000, 1, 1)), Err(DateError));
    }

    #[test]
    fn dates_outside_the_years_or_in_another_shape_are_refused() {
        for bad in [
            "1899-12-31",
            "10000-01-01",
            "+10000-01-01",
            "-0001-01-01",
            "2025-02-30",
            "2023-02-29",
            "2025-00-10",
            "2025-13-01",
            "2025-12-00",
            "2025-12-32",
            "0000-01-01",
            "2025-2-3",
            " 2025-02-03",
            "2025-02-03T00:00:00Z",
            "20250203",
            "",
        ] {
            assert_eq!(parse(bad), Err(DateError), "{bad:?}");
            let json = format!(r#"{{"on":"{bad}"}}"#);
            assert!(serde_json::from_str::<Dated>(&json).is_err(), "{bad:?}");
            let json = format!(r#"{{"on":"2025-01-01","until":"{bad}"}}"#);
            assert!(serde_json::from_str::<Dated>(&json).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn an_optional_date_may_be_null_or_absent_but_a_required_one_may_not() {
        let absent: Dated = serde_json::from_str(r#"{"on":"2025-01-01"}"#).unwrap();
        assert_eq!(absent.until, None);
        let null: Dated = serde_json::from_str(r#"{"on":"2025-01-01","until":null}"#).unwrap();
        assert_eq!(null.until, None);
        assert_eq!(
            serde_json::to_string(&null).unwrap(),
            r#"{"on":"2025-01-01","until":null}"#
        );
        assert!(serde_json::from_str::<Dated>(r#"{"until":"2025-01-01"}"#).is_err());
        assert!(serde_json::from_str::<Dated>(r#"{"on":null}"#).is_err());
    }

    #[test]
    fn writing_a_date_outside_the_years_fails_instead_of_emitting_it() {
        let value = Dated {
            on: day(10000, 1, 1),
            until: None,
        };
        assert!(serde_json::to_string(&value).is_err());
        let value = Dated {
            on: day(2025, 1, 1),
            until: Some(day(1899, 12, 31)),
        };
        assert!(serde_json::to_string(&value).is_err());
    }
}
