//! DingTalk (钉钉) HTTP callbacks: body `{"encrypt": "..."}` with `signature` (or
//! `msg_signature`), `timestamp` and `nonce` in the query; inside, a JSON event. Every
//! answer is the encrypted `success`.
//!
//! Events (field names as DingTalk documents them; case of the first letter ignored):
//! - `check_url`: the URL handshake, answered with the encrypted `success`;
//! - `user_leave_org` (`UserId`: a list): left, one event per user;
//! - `hrm_mdm_user_change` (`changeType` 1 hire, 3 transfer, 4 leave; `userId` or
//!   `userIds`, `name`, `deptId` when given): the others are acknowledged and ignored.
//!
//! The dedupe key is the event's `EventId` when it has one, else its type and
//! `TimeStamp`, with the user appended.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::callback_crypto::CallbackCrypto;
use super::{Change, VendorEvent};

/// What a decrypted DingTalk message is.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// The URL handshake.
    CheckUrl,
    /// Person events (none for a type staffing does not read).
    Events(Vec<VendorEvent>),
}

/// The answer DingTalk expects to every callback: `success`, encrypted and signed.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct DingTalkReply {
    pub msg_signature: String,
    /// Milliseconds since the epoch, as a string.
    #[serde(rename = "timeStamp")]
    pub time_stamp: String,
    pub nonce: String,
    /// `success`, encrypted.
    pub encrypt: String,
}

impl DingTalkReply {
    pub fn success(crypto: &CallbackCrypto, now: DateTime<Utc>) -> Self {
        let encrypt = crypto.encrypt(b"success");
        let time_stamp = now.timestamp_millis().to_string();
        let nonce = hex::encode(rand::random::<[u8; 4]>());
        Self {
            msg_signature: crypto.signature(&time_stamp, &nonce, &encrypt),
            time_stamp,
            nonce,
            encrypt,
        }
    }
}

/// A field by its name, the first letter in either case (`UserId` / `userId`).
fn field<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    let obj = v.as_object()?;
    obj.get(name).or_else(|| {
        let mut chars = name.chars();
        let first = chars.next()?;
        let flipped = if first.is_ascii_uppercase() {
            first.to_ascii_lowercase()
        } else {
            first.to_ascii_uppercase()
        };
        obj.get(&format!("{flipped}{}", chars.as_str()))
    })
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// One string or a list of them.
fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items.iter().filter_map(scalar).collect(),
        Some(other) => scalar(other).into_iter().collect(),
        None => Vec::new(),
    }
}

/// Reads a decrypted message; an error when it is not a JSON object with an `EventType`.
pub fn parse(message: &[u8]) -> Result<Message, String> {
    let v: Value = serde_json::from_slice(message).map_err(|e| format!("not JSON: {e}"))?;
    let event_type = field(&v, "EventType")
        .and_then(Value::as_str)
        .ok_or("no EventType")?
        .to_owned();
    let change_of = |change_type: Option<String>| -> Option<Change> {
        let department = field(&v, "deptId")
            .and_then(scalar)
            .or_else(|| strings(field(&v, "deptIds")).into_iter().next());
        match change_type.as_deref() {
            Some("1") => Some(Change::Hired {
                name: field(&v, "name").and_then(scalar),
                department,
            }),
            Some("3") => Some(Change::Transferred { department }),
            Some("4") => Some(Change::Left),
            _ => None,
        }
    };
    let (change, users) = match event_type.as_str() {
        "check_url" => return Ok(Message::CheckUrl),
        "user_leave_org" => (Some(Change::Left), strings(field(&v, "UserId"))),
        "hrm_mdm_user_change" => {
            let mut users = strings(field(&v, "userId"));
            users.extend(strings(field(&v, "userIds")));
            (change_of(field(&v, "changeType").and_then(scalar)), users)
        }
        _ => (None, Vec::new()),
    };
    let Some(change) = change else {
        return Ok(Message::Events(Vec::new()));
    };
    let stamp = field(&v, "TimeStamp").and_then(scalar);
    let at = stamp
        .as_deref()
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(DateTime::<Utc>::from_timestamp_millis)
        .unwrap_or_else(Utc::now);
    let base = match field(&v, "EventId").and_then(scalar) {
        Some(id) => id,
        None => format!("{event_type}:{}", stamp.unwrap_or_default()),
    };
    let mut common: BTreeMap<String, String> = v
        .as_object()
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| Some((k.to_ascii_lowercase(), scalar(v)?)))
                .collect()
        })
        .unwrap_or_default();
    common.remove("userid");
    Ok(Message::Events(
        users
            .into_iter()
            .map(|user| {
                let mut fields = common.clone();
                fields.insert("userid".into(), user.clone());
                VendorEvent {
                    dedupe_key: format!("{base}:{user}"),
                    vendor_type: event_type.clone(),
                    change: change.clone(),
                    fields,
                    at,
                }
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_url_is_the_handshake() {
        assert_eq!(
            parse(br#"{"EventType":"check_url"}"#),
            Ok(Message::CheckUrl)
        );
        assert!(parse(b"success").is_err());
        assert!(parse(br#"{"x":1}"#).is_err());
    }

    #[test]
    fn user_leave_org_is_one_departure_per_user() {
        let m = parse(
            br#"{"EventType":"user_leave_org","TimeStamp":"1790000000000","UserId":["u1","u2"],"CorpId":"dingcorp"}"#,
        )
        .unwrap();
        let Message::Events(events) = m else {
            panic!("no events")
        };
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].change, Change::Left);
        assert_eq!(events[0].dedupe_key, "user_leave_org:1790000000000:u1");
        assert_eq!(events[1].fields["userid"], "u2");
        assert_eq!(events[1].fields["corpid"], "dingcorp");
        assert_eq!(events[0].at.timestamp(), 1_790_000_000);
    }

    #[test]
    fn hrm_mdm_user_change_by_change_type() {
        let read = |body: &str| match parse(body.as_bytes()).unwrap() {
            Message::Events(e) => e,
            Message::CheckUrl => panic!("handshake"),
        };
        let e = read(
            r#"{"EventType":"hrm_mdm_user_change","EventId":"ev1","changeType":1,"userId":"u1","name":"Li Si","deptId":7}"#,
        );
        assert_eq!(
            e[0].change,
            Change::Hired {
                name: Some("Li Si".into()),
                department: Some("7".into())
            }
        );
        assert_eq!(e[0].dedupe_key, "ev1:u1");
        let e = read(r#"{"EventType":"hrm_mdm_user_change","changeType":"3","userIds":["u1"]}"#);
        assert_eq!(e[0].change, Change::Transferred { department: None });
        let e = read(r#"{"EventType":"hrm_mdm_user_change","changeType":4,"userId":"u1"}"#);
        assert_eq!(e[0].change, Change::Left);
        assert!(
            read(r#"{"EventType":"hrm_mdm_user_change","changeType":2,"userId":"u1"}"#).is_empty()
        );
        assert!(read(r#"{"EventType":"user_add_org","UserId":["u1"]}"#).is_empty());
    }

    #[test]
    fn the_success_reply_is_signed_and_decrypts_to_success() {
        let c = CallbackCrypto::new(
            "tok",
            "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
            "dingkey",
        )
        .unwrap();
        let r = DingTalkReply::success(&c, Utc::now());
        assert_eq!(
            c.verify(&r.msg_signature, &r.time_stamp, &r.nonce, &r.encrypt),
            Ok(())
        );
        assert_eq!(c.decrypt(&r.encrypt).unwrap(), b"success");
    }
}
