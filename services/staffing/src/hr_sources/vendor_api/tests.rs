use std::collections::BTreeMap;

use super::*;
use crate::hr_sources::SourceKeys;
use crate::hr_sources::callback_crypto::CallbackCrypto;

fn pending(fields: &[(&str, &str)]) -> Pending {
    Pending {
        name: "src".into(),
        event: "e".into(),
        dedupe_key: "k".into(),
        fields: fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

fn dingtalk(employee_id_field: &str) -> HrSource {
    HrSource {
        name: "dd".into(),
        vendor: Vendor::Dingtalk,
        keys: SourceKeys::Callback(
            CallbackCrypto::new("t", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "k").unwrap(),
        ),
        employee_id_field: employee_id_field.into(),
        departments: BTreeMap::new(),
        api: None,
        timestamp_tolerance_secs: 300,
    }
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

#[test]
fn feishu_reads_the_offboarding_the_event_names_and_its_date() {
    let data = json!({"items": [
        {"offboarding_id": "old", "offboarding_info": {"offboarding_date": "2026-01-01"}},
        {"offboarding_id": "o1", "offboarding_info": {"expected_offboarding_date": "2026-12-18"}},
    ]});
    let submitted = pending(&[("offboarding_id", "o1"), ("status", "1")]);
    assert_eq!(
        feishu_change(&submitted, &data),
        Ok(Change::Resigning {
            last_working_day: Some(day(18)),
            successor: None
        })
    );
    let effective = pending(&[("offboarding_id", "o1"), ("status", "3")]);
    assert_eq!(
        feishu_change(&effective, &data),
        Ok(Change::LeftOn {
            last_working_day: day(18),
            successor: None
        })
    );
}

#[test]
fn feishu_without_the_offboarding_or_its_date_is_a_failure_to_retry() {
    let p = pending(&[("offboarding_id", "o2"), ("status", "2")]);
    let listed_without = json!({"items": [{"offboarding_id": "o1"}]});
    assert!(feishu_change(&p, &listed_without).is_err());
    assert!(feishu_change(&p, &json!({})).is_err());
    let undated = json!({"items": [{"offboarding_id": "o2", "offboarding_info": {}}]});
    assert!(
        feishu_change(&p, &undated)
            .unwrap_err()
            .0
            .contains("no date")
    );
    let garbled = json!({"items": [{"offboarding_id": "o2",
        "offboarding_info": {"offboarding_date": "18/12/2026"}}]});
    assert!(feishu_change(&p, &garbled).is_err());
}

#[test]
fn feishu_answers_with_a_nonzero_code_fail() {
    assert_eq!(
        feishu_ok(json!({"code": 0, "data": {"items": []}})),
        Ok(json!({"items": []}))
    );
    let err = feishu_ok(json!({"code": 99991663, "msg": "invalid token"})).unwrap_err();
    assert!(err.0.contains("99991663") && err.0.contains("invalid token"));
    assert!(feishu_ok(json!({"msg": "?"})).is_err());
}

#[test]
fn dingtalk_reads_the_date_in_the_company_zone_the_status_and_the_successor() {
    let tz: Tz = "Asia/Shanghai".parse().unwrap();
    // 2026-12-17T16:30:00Z is already the 18th in Shanghai.
    let at = DateTime::parse_from_rfc3339("2026-12-17T16:30:00Z").unwrap();
    let record = |status: i64| {
        json!({"result": [
            {"userId": "other", "lastWorkDay": 0, "status": 2},
            {"userId": "u1", "lastWorkDay": at.timestamp_millis(), "status": status,
             "handoverUserId": "u9"},
        ]})
    };
    let p = pending(&[("userid", "u1")]);
    assert_eq!(
        dingtalk_change(&dingtalk("userid"), &p, &record(1), tz),
        Ok(Change::Resigning {
            last_working_day: Some(day(18)),
            successor: Some("u9".into())
        })
    );
    assert_eq!(
        dingtalk_change(&dingtalk("userid"), &p, &record(2), tz),
        Ok(Change::LeftOn {
            last_working_day: day(18),
            successor: Some("u9".into())
        })
    );
    // When our ids are job numbers, a DingTalk user id names nobody of ours.
    assert_eq!(
        dingtalk_change(&dingtalk("jobnumber"), &p, &record(2), tz),
        Ok(Change::LeftOn {
            last_working_day: day(18),
            successor: None
        })
    );
}

#[test]
fn dingtalk_without_a_record_is_a_departure_today_and_without_a_date_a_failure() {
    let tz: Tz = "Asia/Shanghai".parse().unwrap();
    let p = pending(&[("userid", "u1")]);
    let source = dingtalk("userid");
    assert_eq!(
        dingtalk_change(&source, &p, &json!({"result": []}), tz),
        Ok(Change::Left)
    );
    let undated = json!({"result": [{"userId": "u1", "status": 2}]});
    assert!(dingtalk_change(&source, &p, &undated, tz).is_err());
}
