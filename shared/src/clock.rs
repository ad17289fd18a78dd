//! Time as the suite stores it: UTC, to the microsecond (PostgreSQL's precision), so a
//! value reads back the same from either backend.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// A stored timestamp (UTC without zone) as an instant.
pub fn utc(stored: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(stored, Utc)
}
