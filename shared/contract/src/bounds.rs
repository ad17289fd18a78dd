//! Limits on numbers and lists in payloads, checked while reading them.
//!
//! Used as `#[serde(deserialize_with = "...")]` on the field, so a refusal carries the
//! field's path (for `serde_path_to_error`) and says what was allowed.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};

/// A `u32` from `MIN` to `MAX` inclusive:
/// `deserialize_with = "crate::bounds::u32_in::<_, 1, 100>"`.
pub(crate) fn u32_in<'de, D, const MIN: u32, const MAX: u32>(d: D) -> Result<u32, D::Error>
where
    D: Deserializer<'de>,
{
    let value = u32::deserialize(d)?;
    if (MIN..=MAX).contains(&value) {
        Ok(value)
    } else {
        Err(de::Error::custom(format_args!(
            "must be from {MIN} to {MAX}, not {value}"
        )))
    }
}

/// A probability: a finite number from 0 to 1 inclusive.
pub(crate) fn probability<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let value = f64::deserialize(d)?;
    // `contains` is false for NaN too, should a format carry one.
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(de::Error::custom(format_args!(
            "must be a number from 0 to 1, not {value}"
        )))
    }
}

/// A list of at most `MAX` items: `deserialize_with = "crate::bounds::at_most::<_, _, 20>"`.
/// Reading stops at the first item too many, so a huge list is not built first.
pub(crate) fn at_most<'de, D, T, const MAX: usize>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Bounded<T, const MAX: usize>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>, const MAX: usize> Visitor<'de> for Bounded<T, MAX> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a list of at most {MAX} items")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX));
            while let Some(item) = seq.next_element()? {
                if items.len() == MAX {
                    return Err(de::Error::invalid_length(MAX + 1, &self));
                }
                items.push(item);
            }
            Ok(items)
        }
    }

    d.deserialize_seq(Bounded::<T, MAX>(PhantomData))
}

/// A count of things done that exceeds the count required, refused by the progress
/// payloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{done_field} ({done}) must not be greater than {required_field} ({required})")]
pub struct DoneAboveRequired {
    pub done_field: &'static str,
    pub done: u32,
    pub required_field: &'static str,
    pub required: u32,
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Limits {
        #[serde(deserialize_with = "super::u32_in::<_, 1, 100>", default)]
        count: u32,
        #[serde(deserialize_with = "super::probability", default)]
        p: f64,
        #[serde(deserialize_with = "super::at_most::<_, _, 2>", default)]
        items: Vec<u8>,
    }

    fn read(json: &str) -> Result<Limits, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn counts_inside_the_range_are_read() {
        assert_eq!(read(r#"{"count":1}"#).unwrap().count, 1);
        assert_eq!(read(r#"{"count":100}"#).unwrap().count, 100);
    }

    #[test]
    fn counts_outside_the_range_negative_fractional_or_huge_are_refused() {
        for bad in ["0", "101", "-1", "1.5", "4294967296", "\"5\"", "null"] {
            assert!(read(&format!(r#"{{"count":{bad}}}"#)).is_err(), "{bad}");
        }
        let err = read(r#"{"count":101}"#).unwrap_err();
        assert!(
            err.to_string().contains("must be from 1 to 100, not 101"),
            "{err}"
        );
    }

    #[test]
    fn probabilities_must_be_finite_numbers_from_0_to_1() {
        assert_eq!(read(r#"{"p":0}"#).unwrap().p, 0.0);
        assert_eq!(read(r#"{"p":1.0}"#).unwrap().p, 1.0);
        for bad in ["1.5", "-0.1", "\"NaN\"", "\"0.5\"", "null", "1e400"] {
            assert!(read(&format!(r#"{{"p":{bad}}}"#)).is_err(), "{bad}");
        }
    }

    #[test]
    fn lists_longer_than_the_limit_are_refused() {
        assert_eq!(read(r#"{"items":[1,2]}"#).unwrap().items, vec![1, 2]);
        assert!(read(r#"{"items":[]}"#).unwrap().items.is_empty());
        let err = read(r#"{"items":[1,2,3]}"#).unwrap_err();
        assert!(err.to_string().contains("at most 2 items"), "{err}");
    }
}
