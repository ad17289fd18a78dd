//! HR systems as they are: configured sources (`[staffing.hr_sources.<name>]`) whose
//! callbacks are verified over the raw bytes, decrypted, parsed into [`VendorEvent`]s with
//! a dedupe key and turned into the HR events the generic webhook takes by one mapping
//! ([`mapping::to_hr_event`]); they are stored and applied through the same path, with
//! `"{source}:{dedupe_key}"` as their `webhook_id`, so a redelivery is a no-op.
//!
//! Enrichment through the vendors' APIs is not built: an event that lacks what its HR
//! event needs is stored as unmatched, listed for HR.

pub mod callback_crypto;
pub mod dingtalk;
pub mod mapping;
pub mod wecom;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use callback_crypto::CallbackCrypto;

/// Which HR system a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    /// 企业微信 contacts: XML callbacks.
    Wecom,
    /// 钉钉: JSON `{"encrypt": ...}` callbacks.
    Dingtalk,
    /// 飞书 / Lark: not built yet (its deliveries are refused).
    Feishu,
}

impl Vendor {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Wecom => "wecom",
            Self::Dingtalk => "dingtalk",
            Self::Feishu => "feishu",
        }
    }
}

/// `[staffing.hr_sources.<name>]`: one HR system pointing its event subscription at
/// `/v1/hr/sources/<name>/events`. Secrets from the settings file or the environment
/// (`CONTINUITY_STAFFING__HR_SOURCES__<NAME>__TOKEN`, ...).
#[derive(Debug, Clone, Deserialize)]
pub struct HrSourceSettings {
    pub vendor: Vendor,
    /// The callback token set in the vendor's console.
    pub token: SecretString,
    /// The 43-character EncodingAESKey (WeCom, DingTalk).
    pub encoding_aes_key: SecretString,
    /// The receive id the messages must carry: WeCom's corp id, DingTalk's app key,
    /// suite key or corp id.
    pub receive_id: String,
    /// Which vendor field is our `employee_id` (case-insensitive): `userid` unless told.
    #[serde(default = "userid")]
    pub employee_id_field: String,
    /// The vendor's department ids → our department codes; an unmapped department
    /// leaves the event unmatched.
    #[serde(default)]
    pub departments: BTreeMap<String, String>,
}

fn userid() -> String {
    "userid".to_owned()
}

/// A configured source, its keys decoded.
#[derive(Debug, Clone)]
pub struct HrSource {
    pub name: String,
    pub vendor: Vendor,
    pub crypto: CallbackCrypto,
    /// Lower-case.
    pub employee_id_field: String,
    pub departments: BTreeMap<String, String>,
}

/// Every configured source by name.
#[derive(Debug, Clone, Default)]
pub struct HrSources(pub BTreeMap<String, HrSource>);

impl HrSources {
    /// The sources of the settings; a bad key names its source.
    pub fn from_settings(settings: &BTreeMap<String, HrSourceSettings>) -> anyhow::Result<Self> {
        let mut sources = BTreeMap::new();
        for (name, s) in settings {
            if s.vendor == Vendor::Feishu {
                anyhow::bail!("staffing.hr_sources.{name}: Feishu sources are not supported yet");
            }
            let crypto = CallbackCrypto::new(
                s.token.expose_secret(),
                s.encoding_aes_key.expose_secret(),
                &s.receive_id,
            )
            .map_err(|e| anyhow::anyhow!("staffing.hr_sources.{name}: {e}"))?;
            sources.insert(
                name.clone(),
                HrSource {
                    name: name.clone(),
                    vendor: s.vendor,
                    crypto,
                    employee_id_field: s.employee_id_field.to_ascii_lowercase(),
                    departments: s.departments.clone(),
                },
            );
        }
        Ok(Self(sources))
    }

    pub fn get(&self, name: &str) -> Option<&HrSource> {
        self.0.get(name)
    }
}

/// What a vendor's event says happened to a person, before mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Joined; the name and department ids when the event carries them.
    Hired {
        name: Option<String>,
        department: Option<String>,
    },
    /// Moved; the new (main) department id when the event carries it.
    Transferred { department: Option<String> },
    /// Left (departure effective: no date in the event, so the day it arrives).
    Left,
}

/// One event of a vendor about one person.
#[derive(Debug, Clone, PartialEq)]
pub struct VendorEvent {
    /// Unique per source: a redelivery carries the same.
    pub dedupe_key: String,
    /// The vendor's name of the event (`change_contact/delete_user`, `user_leave_org`).
    pub vendor_type: String,
    pub change: Change,
    /// The vendor's flat fields, keys lower-case (where the employee id is looked up).
    pub fields: BTreeMap<String, String>,
    /// When the vendor says it happened.
    pub at: DateTime<Utc>,
}
