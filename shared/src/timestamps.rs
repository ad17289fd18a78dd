//! Stored timestamps (UTC, without zone, to the microsecond) written as RFC 3339 with `Z`.

/// `#[serde(with = "crate::timestamps::rfc3339")]` on a `NaiveDateTime` holding UTC.
pub mod rfc3339 {
    use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        let t = DateTime::<Utc>::from_naive_utc_and_offset(*t, Utc);
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Micros, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
        Ok(DateTime::<Utc>::deserialize(d)?.naive_utc())
    }
}
