//! The one mapping from a vendor's event to the HR event the generic webhook takes:
//!
//! | vendor event | HR event | data |
//! | --- | --- | --- |
//! | left (WeCom `delete_user`, DingTalk `user_leave_org`, `hrm_mdm_user_change` 4, Feishu `contact.user.deleted_v3`) | `employee.terminated` | last_working_day = the day it arrives |
//! | hired (WeCom `create_user`, `hrm_mdm_user_change` 1, Feishu `contact.user.created_v3`) | `employee.hired` | name, department (mapped), hire_date = the day it arrives |
//! | transferred (WeCom `update_user` with a department, `hrm_mdm_user_change` 3, Feishu `contact.user.updated_v3` with other `department_ids`) | `employee.transferred` | department (mapped), effective_date = the day it arrives |
//! | resigning (Feishu `directory.employee.to_be_resigned_v1`; CoreHR offboarding 1/2/6 and DingTalk's departures still pending, enriched) | `employee.resigned` | notice_date = the day it arrives, last_working_day = its `resign_date` or the API's date, successor_employee_id = DingTalk's `handoverUserId` |
//! | left on a date (CoreHR offboarding 3, DingTalk's departures done, enriched) | `employee.terminated` | last_working_day = the API's date, successor_employee_id as above |
//! | withdrawn (CoreHR offboarding 4/5) | `employee.resignation_rescinded` | |
//! | needs enrichment, the source without API credentials (CoreHR offboarding 1/2/3/6) | by its status | unmatched: the date is only in the vendor's API |
//!
//! `employee_id` is the source's configured vendor field. An event without that field, a
//! name (hire) or a department the source maps is unmatched, with the reason; its `data`
//! keeps what the vendor sent under `source`.

use chrono::NaiveDate;
use continuity_contract::EmployeeId;
use serde_json::{Map, Value, json};

use super::{Change, HrSource, VendorEvent};
use crate::domain::hr_event::HrEvent;

/// What a vendor event comes to.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    /// The HR event type it means.
    pub event_type: &'static str,
    /// The HR event's `data` (as far as it could be filled), with `source` describing the
    /// vendor event.
    pub data: Value,
    /// The HR event, or why it cannot be made.
    pub event: Result<HrEvent, String>,
}

/// Maps `event` of `source`, dated `today` (the company's date it arrives).
pub fn to_hr_event(source: &HrSource, event: &VendorEvent, today: NaiveDate) -> Mapped {
    let mut data = Map::new();
    let mut missing: Vec<String> = Vec::new();
    let field = &source.employee_id_field;
    match event.fields.get(field) {
        Some(id) => {
            data.insert("employee_id".into(), json!(id));
        }
        None => missing.push(format!(
            "the event carries no `{field}` (the field configured as employee_id)"
        )),
    }
    let department = |dept: &Option<String>| -> Result<String, String> {
        let d = dept
            .as_ref()
            .ok_or_else(|| "the event names no department".to_owned())?;
        source.departments.get(d).cloned().ok_or_else(|| {
            format!(
                "department `{d}` of source `{}` is not mapped to a department code",
                source.name
            )
        })
    };
    let put_department =
        |data: &mut Map<String, Value>, missing: &mut Vec<String>, d| match department(d) {
            Ok(code) => {
                data.insert("department_code".into(), json!(code));
            }
            Err(why) => missing.push(why),
        };
    let put_successor = |data: &mut Map<String, Value>, successor: &Option<String>| {
        // HR's choice of successor is a proposal: one whose id is not ours is left out
        // rather than losing the departure it came with.
        if let Some(id) = successor
            .as_deref()
            .filter(|id| EmployeeId::parse(id).is_ok())
        {
            data.insert("successor_employee_id".into(), json!(id));
        }
    };
    let event_type = match &event.change {
        Change::Left => {
            data.insert("last_working_day".into(), json!(today));
            "employee.terminated"
        }
        Change::LeftOn {
            last_working_day,
            successor,
        } => {
            data.insert("last_working_day".into(), json!(last_working_day));
            put_successor(&mut data, successor);
            "employee.terminated"
        }
        Change::Hired {
            name,
            department: d,
        } => {
            match name {
                Some(n) => {
                    data.insert("name".into(), json!(n));
                }
                None => missing.push("the event carries no name".to_owned()),
            }
            put_department(&mut data, &mut missing, d);
            data.insert("hire_date".into(), json!(today));
            "employee.hired"
        }
        Change::Transferred { department: d } => {
            put_department(&mut data, &mut missing, d);
            data.insert("effective_date".into(), json!(today));
            "employee.transferred"
        }
        Change::Resigning {
            last_working_day,
            successor,
        } => {
            data.insert("notice_date".into(), json!(today));
            match last_working_day {
                Some(day) => {
                    data.insert("last_working_day".into(), json!(day));
                }
                None => missing.push("the event carries no resign date".to_owned()),
            }
            put_successor(&mut data, successor);
            "employee.resigned"
        }
        Change::Rescinded => "employee.resignation_rescinded",
        Change::NeedsEnrichment { event_type } => {
            missing.push(format!(
                "the event carries only ids; its date is in {}'s API, which source `{}` has no \
                 credentials for (set its app_secret and app id or key)",
                source.vendor.as_str(),
                source.name
            ));
            event_type
        }
    };
    data.insert("source".into(), source_json(source, event, false));
    let data = Value::Object(data);
    let event = if missing.is_empty() {
        HrEvent::parse(event_type, &data).map_err(|errors| {
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message.en))
                .collect::<Vec<_>>()
                .join("; ")
        })
    } else {
        Err(missing.join("; "))
    };
    Mapped {
        event_type,
        data,
        event,
    }
}

/// The `data` of an event stored to be enriched: the employee id when it carries it, and
/// the vendor event under `source` with `enrich: true`, which [`pending`] reads back.
pub fn to_enrich(source: &HrSource, event: &VendorEvent) -> Value {
    let mut data = Map::new();
    if let Some(id) = event.fields.get(&source.employee_id_field) {
        data.insert("employee_id".into(), json!(id));
    }
    data.insert("source".into(), source_json(source, event, true));
    Value::Object(data)
}

fn source_json(source: &HrSource, event: &VendorEvent, enrich: bool) -> Value {
    let mut json = json!({
        "name": source.name,
        "vendor": source.vendor.as_str(),
        "event": event.vendor_type,
        "dedupe_key": event.dedupe_key,
        "fields": event.fields,
    });
    if enrich {
        json["enrich"] = json!(true);
    }
    json
}

/// A stored event awaiting enrichment, read back from its `data`.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Pending {
    /// The source's name.
    pub name: String,
    /// The vendor's event type.
    pub event: String,
    pub dedupe_key: String,
    pub fields: std::collections::BTreeMap<String, String>,
}

/// The vendor event of `data` when it was stored to be enriched.
pub fn pending(data: &Value) -> Option<Pending> {
    let source = data.get("source")?;
    if source.get("enrich") != Some(&Value::Bool(true)) {
        return None;
    }
    serde_json::from_value(source.clone()).ok()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::TimeZone;

    use super::*;
    use crate::hr_sources::callback_crypto::CallbackCrypto;
    use crate::hr_sources::{SourceKeys, Vendor};

    fn source() -> HrSource {
        HrSource {
            name: "wx".into(),
            vendor: Vendor::Wecom,
            keys: SourceKeys::Callback(
                CallbackCrypto::new("t", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "corp")
                    .unwrap(),
            ),
            employee_id_field: "userid".into(),
            departments: BTreeMap::from([("2".into(), "sales".into())]),
            api: None,
            timestamp_tolerance_secs: 300,
        }
    }

    fn event(change: Change, fields: &[(&str, &str)]) -> VendorEvent {
        VendorEvent {
            dedupe_key: "k".into(),
            vendor_type: "change_contact/x".into(),
            change,
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            at: chrono::Utc.timestamp_opt(1_790_000_000, 0).unwrap(),
        }
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 9, 21).unwrap()
    }

    #[test]
    fn a_departure_is_a_termination_today() {
        let m = to_hr_event(&source(), &event(Change::Left, &[("userid", "E1")]), day());
        let HrEvent::Terminated(t) = m.event.unwrap() else {
            panic!("not a termination")
        };
        assert_eq!((t.employee_id.as_str(), t.last_working_day), ("E1", day()));
        assert_eq!(m.event_type, "employee.terminated");
        assert_eq!(m.data["source"]["vendor"], "wecom");
    }

    #[test]
    fn a_hire_with_a_mapped_department_is_a_hire() {
        let change = Change::Hired {
            name: Some("Zhang San".into()),
            department: Some("2".into()),
        };
        let m = to_hr_event(&source(), &event(change, &[("userid", "E1")]), day());
        let HrEvent::Hired(h) = m.event.unwrap() else {
            panic!("not a hire")
        };
        assert_eq!(h.department_code.as_str(), "sales");
        assert_eq!(h.hire_date, day());
    }

    #[test]
    fn a_transfer_to_a_mapped_department_is_a_transfer() {
        let change = Change::Transferred {
            department: Some("2".into()),
        };
        let m = to_hr_event(&source(), &event(change, &[("userid", "E1")]), day());
        assert!(matches!(m.event, Ok(HrEvent::Transferred(_))));
    }

    #[test]
    fn unmapped_department_missing_name_or_id_are_unmatched_with_the_reason() {
        let change = Change::Transferred {
            department: Some("99".into()),
        };
        let m = to_hr_event(&source(), &event(change, &[("userid", "E1")]), day());
        assert!(m.event.unwrap_err().contains("department `99`"));
        let change = Change::Hired {
            name: None,
            department: Some("2".into()),
        };
        let m = to_hr_event(&source(), &event(change, &[("userid", "E1")]), day());
        assert!(m.event.unwrap_err().contains("no name"));
        let m = to_hr_event(&source(), &event(Change::Left, &[("alias", "E1")]), day());
        assert_eq!(m.event_type, "employee.terminated");
        assert!(m.event.unwrap_err().contains("`userid`"));
        let m = to_hr_event(
            &source(),
            &event(Change::Left, &[("userid", "../x")]),
            day(),
        );
        assert!(m.event.unwrap_err().contains("employee_id"));
    }

    #[test]
    fn a_resignation_carries_its_date_and_an_unenriched_event_stays_unmatched() {
        let last = NaiveDate::from_ymd_opt(2026, 10, 30).unwrap();
        let change = Change::Resigning {
            last_working_day: Some(last),
            successor: None,
        };
        let m = to_hr_event(&source(), &event(change, &[("userid", "E1")]), day());
        let HrEvent::Resigned(r) = m.event.unwrap() else {
            panic!("not a resignation")
        };
        assert_eq!((r.notice_date, r.last_working_day), (day(), last));
        let change = Change::Resigning {
            last_working_day: None,
            successor: None,
        };
        let m = to_hr_event(&source(), &event(change, &[("userid", "E1")]), day());
        assert!(m.event.unwrap_err().contains("no resign date"));
        let change = Change::NeedsEnrichment {
            event_type: "employee.terminated",
        };
        let m = to_hr_event(&source(), &event(change, &[("userid", "E1")]), day());
        assert_eq!(m.event_type, "employee.terminated");
        assert!(m.event.unwrap_err().contains("no credentials"));
    }

    #[test]
    fn an_enriched_departure_carries_its_date_and_a_successor_only_when_the_id_is_ours() {
        let last = NaiveDate::from_ymd_opt(2026, 10, 30).unwrap();
        let left = |successor: &str| Change::LeftOn {
            last_working_day: last,
            successor: Some(successor.to_owned()),
        };
        let m = to_hr_event(&source(), &event(left("E2"), &[("userid", "E1")]), day());
        let HrEvent::Terminated(t) = m.event.unwrap() else {
            panic!("not a termination")
        };
        assert_eq!(t.last_working_day, last);
        assert_eq!(t.successor_employee_id.unwrap().as_str(), "E2");
        let m = to_hr_event(&source(), &event(left("../x"), &[("userid", "E1")]), day());
        let HrEvent::Terminated(t) = m.event.unwrap() else {
            panic!("the departure is lost with its odd successor")
        };
        assert_eq!(t.successor_employee_id, None);
        let m = to_hr_event(
            &source(),
            &event(Change::Rescinded, &[("userid", "E1")]),
            day(),
        );
        assert!(matches!(m.event, Ok(HrEvent::ResignationRescinded(_))));
    }

    #[test]
    fn an_event_stored_to_be_enriched_reads_back_and_no_other_does() {
        let change = Change::NeedsEnrichment {
            event_type: "employee.resigned",
        };
        let e = event(change, &[("userid", "E1"), ("offboarding_id", "o1")]);
        let data = to_enrich(&source(), &e);
        assert_eq!(data["employee_id"], "E1");
        let p = pending(&data).unwrap();
        assert_eq!((p.name.as_str(), p.dedupe_key.as_str()), ("wx", "k"));
        assert_eq!(p.fields["offboarding_id"], "o1");
        let mapped = to_hr_event(&source(), &event(Change::Left, &[("userid", "E1")]), day());
        assert_eq!(pending(&mapped.data), None);
        assert_eq!(pending(&json!({"source": "x"})), None);
    }
}
