//! Helpers for the payload tests: sample values and the checks every payload gets.

use std::fmt::Debug;

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{DepartmentCode, EmployeeId, EventData, HandoverId, Name, NoticeId, ProjectId, Reason};

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn employee(id: &str) -> EmployeeId {
    EmployeeId::parse(id).unwrap()
}

pub fn department(code: &str) -> DepartmentCode {
    DepartmentCode::parse(code).unwrap()
}

pub fn name(text: &str) -> Name {
    Name::parse(text).unwrap()
}

pub fn reason(text: &str) -> Reason {
    Reason::parse(text).unwrap()
}

pub const PROJECT: &str = "0190a5c4-1b2c-7d3e-8f40-123456789abc";
pub const HANDOVER: &str = "0190a5c4-1b2c-7d3e-8f40-0000000000aa";
pub const NOTICE: &str = "0190a5c4-1b2c-7d3e-8f40-0000000000bb";

pub fn project() -> ProjectId {
    ProjectId::parse(PROJECT).unwrap()
}

pub fn handover() -> HandoverId {
    HandoverId::parse(HANDOVER).unwrap()
}

pub fn notice() -> NoticeId {
    NoticeId::parse(NOTICE).unwrap()
}

/// Writes `value`, checks that its keys are exactly `keys` (the contract's names), reads
/// it back equal, and returns the JSON for further hostile edits.
pub fn round_trip<T: EventData + PartialEq + Debug>(value: &T, keys: &[&str]) -> Value {
    let json = value.encode().unwrap();
    let mut got: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    got.sort_unstable();
    let mut want = keys.to_vec();
    want.sort_unstable();
    assert_eq!(got, want, "JSON keys of {}", T::TYPE);
    assert_eq!(&serde_json::from_value::<T>(json.clone()).unwrap(), value);
    json
}

/// `json` with `field` set to `value`.
pub fn with(json: &Value, field: &str, value: Value) -> Value {
    let mut json = json.clone();
    json[field] = value;
    json
}

/// Asserts that `json` does not read as a `T`, and returns the error's text.
pub fn refused<T: DeserializeOwned + Debug>(json: Value) -> String {
    match serde_json::from_value::<T>(json.clone()) {
        Ok(value) => panic!("accepted {json} as {value:?}"),
        Err(e) => e.to_string(),
    }
}

/// Every key of `json` but `optional` is needed; the optional ones may be left out; and
/// a key the reader does not know is ignored (a tolerant reader).
pub fn assert_required_fields<T: DeserializeOwned + Debug>(json: &Value, optional: &[&str]) {
    let object = json.as_object().unwrap();
    for key in object.keys() {
        let mut fewer = object.clone();
        fewer.remove(key);
        if optional.contains(&key.as_str()) {
            serde_json::from_value::<T>(Value::Object(fewer)).unwrap();
        } else {
            let err = refused::<T>(Value::Object(fewer));
            assert!(err.contains(&format!("missing field `{key}`")), "{err}");
        }
    }
    let more = with(json, "added_in_a_later_version", Value::from(1));
    serde_json::from_value::<T>(more).unwrap();
}
