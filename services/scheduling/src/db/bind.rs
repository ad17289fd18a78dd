//! Dates and times bound to SQLite as text without chrono's format machinery: diesel
//! formats each through `strftime` items, which was the largest single cost of writing a
//! million history rows. PostgreSQL gets diesel's own binary encoding unchanged.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::serialize;
use diesel::serialize::{IsNull, Output, ToSql};
use diesel::sql_types::{Date, Timestamp};
use diesel::sqlite::Sqlite;

/// A date written `YYYY-MM-DD`, as diesel writes it for SQLite.
#[derive(Debug, Clone, Copy, AsExpression)]
#[diesel(sql_type = Date)]
pub struct BoundDate(pub NaiveDate);

/// `YYYY-MM-DD` for years 0 to 9999; `None` beyond, where chrono's own form applies.
pub fn iso_date(date: NaiveDate) -> Option<String> {
    let year = u32::try_from(date.year()).ok().filter(|y| *y <= 9999)?;
    let mut text = String::with_capacity(10);
    for (n, width) in [(year, 4), (date.month(), 2), (date.day(), 2)] {
        if !text.is_empty() {
            text.push('-');
        }
        for place in (0..width).rev() {
            let digit = (n / 10u32.pow(place)) % 10;
            text.push(char::from(b'0' + digit as u8));
        }
    }
    Some(text)
}

impl ToSql<Date, Sqlite> for BoundDate {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        match iso_date(self.0) {
            Some(text) => {
                out.set_value(text);
                Ok(IsNull::No)
            }
            None => <NaiveDate as ToSql<Date, Sqlite>>::to_sql(&self.0, out),
        }
    }
}

impl ToSql<Date, Pg> for BoundDate {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <NaiveDate as ToSql<Date, Pg>>::to_sql(&self.0, out)
    }
}

/// One instant bound to many rows: formatted once for SQLite, as diesel formats it.
#[derive(Debug, Clone, Copy, AsExpression)]
#[diesel(sql_type = Timestamp)]
pub struct SameInstant<'a> {
    pub at: NaiveDateTime,
    pub sqlite_text: &'a str,
}

/// The text diesel stores for a timestamp on SQLite.
pub fn sqlite_timestamp(at: NaiveDateTime) -> String {
    at.format("%F %T%.f").to_string()
}

impl ToSql<Timestamp, Sqlite> for SameInstant<'_> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.sqlite_text);
        Ok(IsNull::No)
    }
}

impl ToSql<Timestamp, Pg> for SameInstant<'_> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <NaiveDateTime as ToSql<Timestamp, Pg>>::to_sql(&self.at, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_chrono_writes_them() {
        for raw in [
            "1900-01-01",
            "0001-02-03",
            "2024-02-29",
            "2031-10-07",
            "9999-12-31",
        ] {
            let date: NaiveDate = raw.parse().unwrap();
            assert_eq!(iso_date(date).as_deref(), Some(raw));
            assert_eq!(iso_date(date).unwrap(), date.format("%F").to_string());
        }
        let far = NaiveDate::from_ymd_opt(10_000, 1, 1).unwrap();
        assert_eq!(iso_date(far), None);
        let before = NaiveDate::from_ymd_opt(-1, 1, 1).unwrap();
        assert_eq!(iso_date(before), None);
    }
}
