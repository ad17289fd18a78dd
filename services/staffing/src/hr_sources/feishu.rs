//! Feishu / Lark (飞书) event subscriptions, schema 2.0:
//! `{"schema": "2.0", "header": {"event_id", "event_type", "token", "app_id", …}, "event": {…}}`,
//! or, with an Encrypt Key, `{"encrypt": "…"}` holding that JSON. The URL handshake is
//! `{"type": "url_verification", "challenge", "token"}` (encrypted the same way),
//! answered `{"challenge": …}`.
//!
//! - cipher: AES-256-CBC, key = SHA-256 of the Encrypt Key, IV = the first 16 bytes of
//!   the base64-decoded ciphertext, PKCS#7;
//! - signature (events, when an Encrypt Key is set): `X-Lark-Signature` = hex SHA-256 of
//!   `X-Lark-Request-Timestamp` + `X-Lark-Request-Nonce` + Encrypt Key + raw body, the
//!   timestamp (Unix seconds) within the source's tolerance of our clock;
//! - without an Encrypt Key, the Verification Token in `header.token` (handshake: `token`)
//!   authenticates; with one, the token is checked too when it is configured.
//!
//! Events read (the dedupe key is `header.event_id`; Feishu delivers at least once):
//! - `contact.user.created_v3`: hired (`object.name`, the first of `object.department_ids`);
//! - `contact.user.updated_v3` whose `old_object` has other `department_ids`: transferred;
//! - `contact.user.deleted_v3`: left, the day it arrives;
//! - `directory.employee.to_be_resigned_v1`: resigning on its `resign_date`;
//! - `corehr.offboarding.status_updated_v2`: status 4/5 (withdrawn, refused) rescinded;
//!   1/2/6 (submitted, approved) resigned and 3 (effective) terminated on a date that is
//!   only in the offboarding search API: enriched.
//!
//! The person's fields are the event's scalar fields, the shallowest first, keys
//! lower-case (`user_id`, `open_id`, `employee_no`, …): one of them is our employee id.
//! The directory's `employee_id` is the contact's `user_id`, so it is also read as that.

use std::collections::BTreeMap;

use aes::Aes256;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{Change, VendorEvent};

/// Why a Feishu callback was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FeishuError {
    #[error("X-Lark-Signature, timestamp or nonce missing")]
    SignatureMissing,
    #[error("the signature does not match")]
    Signature,
    #[error("the request timestamp is outside the tolerance")]
    Timestamp,
    #[error("the body is not encrypted though an Encrypt Key is set")]
    NotEncrypted,
    #[error("the ciphertext is not base64 of an IV and whole AES blocks")]
    Ciphertext,
    #[error("the ciphertext does not decrypt with this Encrypt Key (padding)")]
    Padding,
    #[error("the verification token does not match")]
    Token,
    #[error("the event is for another app")]
    AppId,
}

impl FeishuError {
    /// A short, stable name for metrics.
    pub fn reason(self) -> &'static str {
        match self {
            Self::SignatureMissing | Self::Signature => "signature",
            Self::Timestamp => "timestamp",
            Self::NotEncrypted | Self::Ciphertext | Self::Padding => "decrypt",
            Self::Token => "token",
            Self::AppId => "app_id",
        }
    }
}

/// One Feishu source's secrets.
#[derive(Clone)]
pub struct FeishuKeys {
    /// The Encrypt Key as set (it is signed over) and its SHA-256 (the AES key).
    encrypt_key: Option<(String, [u8; 32])>,
    verification_token: Option<String>,
    app_id: Option<String>,
    tolerance_secs: i64,
}

impl std::fmt::Debug for FeishuKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FeishuKeys(app_id {:?})", self.app_id)
    }
}

/// The AES key of an Encrypt Key.
fn aes_key(encrypt_key: &str) -> [u8; 32] {
    Sha256::digest(encrypt_key.as_bytes()).into()
}

/// Hex SHA-256 of timestamp + nonce + Encrypt Key + body.
pub fn signature(timestamp: &str, nonce: &str, encrypt_key: &str, body: &[u8]) -> String {
    let mut sha = Sha256::new();
    sha.update(timestamp.as_bytes());
    sha.update(nonce.as_bytes());
    sha.update(encrypt_key.as_bytes());
    sha.update(body);
    hex::encode(sha.finalize())
}

/// `plain` encrypted as Feishu does, with the given IV (tests and fakes).
pub fn encrypt_with(encrypt_key: &str, iv: [u8; 16], plain: &[u8]) -> String {
    let key = aes_key(encrypt_key);
    let cipher = cbc::Encryptor::<Aes256>::new((&key).into(), (&iv).into())
        .encrypt_padded_vec_mut::<Pkcs7>(plain);
    let mut out = iv.to_vec();
    out.extend_from_slice(&cipher);
    STANDARD.encode(out)
}

fn decrypt_with(key: &[u8; 32], encrypted: &str) -> Result<Vec<u8>, FeishuError> {
    let raw = STANDARD
        .decode(encrypted.trim())
        .map_err(|_| FeishuError::Ciphertext)?;
    if raw.len() < 32 || raw.len() % 16 != 0 {
        return Err(FeishuError::Ciphertext);
    }
    let (iv, body) = raw.split_at(16);
    cbc::Decryptor::<Aes256>::new(key.into(), iv.into())
        .decrypt_padded_vec_mut::<Pkcs7>(body)
        .map_err(|_| FeishuError::Padding)
}

/// The signature headers of a delivery.
#[derive(Debug, Clone, Copy, Default)]
pub struct SignatureHeaders<'a> {
    pub timestamp: Option<&'a str>,
    pub nonce: Option<&'a str>,
    pub signature: Option<&'a str>,
}

impl FeishuKeys {
    /// From the console's values: an Encrypt Key or a Verification Token is required.
    pub fn new(
        encrypt_key: Option<String>,
        verification_token: Option<String>,
        app_id: Option<String>,
        tolerance_secs: u32,
    ) -> Result<Self, String> {
        let encrypt_key = encrypt_key.filter(|k| !k.is_empty());
        let verification_token = verification_token.filter(|t| !t.is_empty());
        if encrypt_key.is_none() && verification_token.is_none() {
            return Err("encrypt_key or verification_token is required".to_owned());
        }
        Ok(Self {
            encrypt_key: encrypt_key.map(|k| {
                let aes = aes_key(&k);
                (k, aes)
            }),
            verification_token,
            app_id: app_id.filter(|a| !a.is_empty()),
            tolerance_secs: i64::from(tolerance_secs),
        })
    }

    pub fn encrypts(&self) -> bool {
        self.encrypt_key.is_some()
    }

    /// Checks the signature over the raw body and its timestamp against `now`; nothing
    /// to check without an Encrypt Key.
    pub fn verify(
        &self,
        headers: SignatureHeaders<'_>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(), FeishuError> {
        let Some((key, _)) = &self.encrypt_key else {
            return Ok(());
        };
        let (Some(ts), Some(nonce), Some(given)) =
            (headers.timestamp, headers.nonce, headers.signature)
        else {
            return Err(FeishuError::SignatureMissing);
        };
        let expected = signature(ts, nonce, key, body);
        if !bool::from(
            expected
                .as_bytes()
                .ct_eq(given.to_ascii_lowercase().as_bytes()),
        ) {
            return Err(FeishuError::Signature);
        }
        let at = ts
            .trim()
            .parse::<i64>()
            .map_err(|_| FeishuError::Timestamp)?;
        if (now.timestamp() - at).abs() > self.tolerance_secs {
            return Err(FeishuError::Timestamp);
        }
        Ok(())
    }

    /// The JSON inside a body: decrypted from `encrypt` when an Encrypt Key is set.
    pub fn open(&self, body: &Value) -> Result<Value, OpenError> {
        let Some((_, key)) = &self.encrypt_key else {
            return Ok(body.clone());
        };
        let encrypted = body
            .get("encrypt")
            .and_then(Value::as_str)
            .ok_or(OpenError::Refused(FeishuError::NotEncrypted))?;
        let plain = decrypt_with(key, encrypted).map_err(OpenError::Refused)?;
        serde_json::from_slice(&plain).map_err(|e| OpenError::Unreadable(e.to_string()))
    }

    /// Checks the token and app id a message carries against the configured ones.
    pub fn check(&self, token: Option<&str>, app_id: Option<&str>) -> Result<(), FeishuError> {
        if let Some(expected) = &self.verification_token {
            let given = token.unwrap_or_default();
            if !bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
                return Err(FeishuError::Token);
            }
        }
        match (&self.app_id, app_id) {
            (Some(ours), Some(theirs)) if ours != theirs => Err(FeishuError::AppId),
            _ => Ok(()),
        }
    }
}

/// Why a body could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    /// Not ours: refused (401).
    Refused(FeishuError),
    /// Decrypted, but not JSON (400).
    Unreadable(String),
}

/// A decrypted Feishu message.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// The URL handshake: answer the challenge.
    Challenge {
        challenge: String,
        token: Option<String>,
    },
    /// A schema 2.0 event: its token, app id and the person event (none for a type
    /// staffing does not read).
    Event {
        token: Option<String>,
        app_id: Option<String>,
        event: Option<Box<VendorEvent>>,
    },
}

fn string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn text_at(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer).and_then(string)
}

/// The scalar fields of `event`, the shallowest first (a nested `user_id` does not hide
/// the event's own), keys lower-case; `old_object` is left out (it is the old values).
fn flat_fields(event: &Value) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    let mut level: Vec<&Map<String, Value>> = event.as_object().into_iter().collect();
    while !level.is_empty() {
        let mut next = Vec::new();
        for obj in level {
            for (k, v) in obj {
                match v {
                    Value::Object(inner) if k != "old_object" => next.push(inner),
                    _ => {
                        if let Some(s) = string(v) {
                            fields.entry(k.to_ascii_lowercase()).or_insert(s);
                        }
                    }
                }
            }
        }
        level = next;
    }
    fields
}

/// The first of a list of department ids.
fn first_department(v: Option<&Value>) -> Option<String> {
    v?.as_array()?.iter().find_map(string)
}

/// What a Feishu event type says happened, from its `event` body.
fn change_of(event_type: &str, event: &Value, fields: &BTreeMap<String, String>) -> Option<Change> {
    match event_type {
        "contact.user.created_v3" => Some(Change::Hired {
            name: text_at(event, "/object/name"),
            department: first_department(event.pointer("/object/department_ids")),
        }),
        "contact.user.updated_v3" => {
            // `old_object` holds only what changed: a department move shows there.
            let old = event.pointer("/old_object/department_ids")?;
            let new = event.pointer("/object/department_ids");
            (Some(old) != new).then(|| Change::Transferred {
                department: first_department(new),
            })
        }
        "contact.user.deleted_v3" => Some(Change::Left),
        "directory.employee.to_be_resigned_v1" => Some(Change::Resigning {
            last_working_day: fields
                .get("resign_date")
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
            successor: None,
        }),
        "corehr.offboarding.status_updated_v2" => offboarding(fields.get("status")?),
        _ => None,
    }
}

/// A CoreHR offboarding status: what it means; the leave date is only in the API.
fn offboarding(status: &str) -> Option<Change> {
    let event_type = match status {
        "1" | "2" | "6" => "employee.resigned",
        "3" => "employee.terminated",
        "4" | "5" => return Some(Change::Rescinded),
        _ => return None,
    };
    Some(Change::NeedsEnrichment { event_type })
}

/// Reads a decrypted message; an error when it is neither the handshake nor a schema 2.0
/// event with an `event_id` and an `event_type`.
pub fn parse(message: &Value, now: DateTime<Utc>) -> Result<Message, String> {
    if message.get("type").and_then(Value::as_str) == Some("url_verification") {
        let challenge = text_at(message, "/challenge").ok_or("no challenge")?;
        return Ok(Message::Challenge {
            challenge,
            token: text_at(message, "/token"),
        });
    }
    if message.get("schema").and_then(Value::as_str) != Some("2.0") {
        return Err("not a schema 2.0 event".to_owned());
    }
    let event_id = text_at(message, "/header/event_id").ok_or("no header.event_id")?;
    let event_type = text_at(message, "/header/event_type").ok_or("no header.event_type")?;
    let body = message.get("event").cloned().unwrap_or(Value::Null);
    let mut fields = flat_fields(&body);
    if event_type.starts_with("directory.") {
        // The directory names the contact's `user_id` `employee_id`: one field for both.
        if let Some(id) = fields.get("employee_id").cloned() {
            fields.entry("user_id".to_owned()).or_insert(id);
        }
    }
    let event = change_of(&event_type, &body, &fields).map(|change| {
        let at = text_at(message, "/header/create_time")
            .and_then(|ms| ms.parse::<i64>().ok())
            .and_then(DateTime::<Utc>::from_timestamp_millis)
            .unwrap_or(now);
        Box::new(VendorEvent {
            dedupe_key: event_id,
            vendor_type: event_type,
            change,
            fields,
            at,
        })
    });
    Ok(Message::Event {
        token: text_at(message, "/header/token"),
        app_id: text_at(message, "/header/app_id"),
        event,
    })
}

#[cfg(test)]
#[path = "feishu/tests.rs"]
mod tests;
