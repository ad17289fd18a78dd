//! HR systems as they are: configured sources (`[staffing.hr_sources.<name>]`) whose
//! callbacks are verified over the raw bytes, decrypted, parsed into [`VendorEvent`]s with
//! a dedupe key and turned into the HR events the generic webhook takes by one mapping
//! ([`mapping::to_hr_event`]); they are stored and applied through the same path, with
//! `"{source}:{dedupe_key}"` as their `webhook_id`, so a redelivery is a no-op.
//!
//! An event that carries only ids (Feishu's CoreHR offboarding; DingTalk's departures when
//! the source has API credentials) is stored as `enriching` and acknowledged at once;
//! [`enrichment`] then asks the vendor's API ([`vendor_api`]) for the date, the status and
//! the successor, and maps it the same way.

pub mod callback_crypto;
pub mod dingtalk;
pub mod enrichment;
pub mod feishu;
pub mod mapping;
pub mod metrics;
pub mod vendor_api;
pub mod wecom;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use callback_crypto::CallbackCrypto;
use feishu::FeishuKeys;

/// Which HR system a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    /// 企业微信 contacts: XML callbacks.
    Wecom,
    /// 钉钉: JSON `{"encrypt": ...}` callbacks.
    Dingtalk,
    /// 飞书 / Lark: schema 2.0 JSON events, encrypted when an Encrypt Key is set.
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

    /// The vendor field that is our `employee_id` unless the source says otherwise.
    fn default_employee_id_field(self) -> &'static str {
        match self {
            Self::Wecom | Self::Dingtalk => "userid",
            Self::Feishu => "user_id",
        }
    }
}

/// `[staffing.hr_sources.<name>]`: one HR system pointing its event subscription at
/// `/v1/hr/sources/<name>/events`. Secrets from the settings file or the environment
/// (`CONTINUITY_STAFFING__HR_SOURCES__<NAME>__TOKEN`, ...). Which fields are required
/// depends on the vendor; a missing one names its source at start.
#[derive(Debug, Clone, Deserialize)]
pub struct HrSourceSettings {
    pub vendor: Vendor,
    /// WeCom, DingTalk: the callback token set in the vendor's console.
    pub token: Option<SecretString>,
    /// WeCom, DingTalk: the 43-character EncodingAESKey.
    pub encoding_aes_key: Option<SecretString>,
    /// WeCom, DingTalk: the receive id the messages must carry: WeCom's corp id,
    /// DingTalk's app key, suite key or corp id.
    pub receive_id: Option<String>,
    /// Feishu: the Encrypt Key of the app's event subscription (events encrypted and
    /// signed); without it, the Verification Token is required.
    pub encrypt_key: Option<SecretString>,
    /// Feishu: the Verification Token, checked against every event's `token` when set.
    pub verification_token: Option<SecretString>,
    /// Feishu: the app id (`cli_…`); events for another app are refused when set, and
    /// with `app_secret` it signs in to Feishu's API for enrichment.
    pub app_id: Option<String>,
    /// DingTalk: the app's AppKey, with `app_secret` for DingTalk's API (enrichment).
    pub app_key: Option<String>,
    /// Feishu, DingTalk: the app secret. With it, events that carry only ids are enriched
    /// through the vendor's API; without it they are mapped from what they carry.
    pub app_secret: Option<SecretString>,
    /// The vendor API's base URL: `https://open.feishu.cn` (Lark: `https://open.larksuite.com`),
    /// `https://api.dingtalk.com` unless set.
    pub api_base_url: Option<String>,
    /// How far the signed timestamp may be from our clock, either way (WeCom's `timestamp`
    /// in seconds, DingTalk's in milliseconds, Feishu's `X-Lark-Request-Timestamp`).
    #[serde(default = "five_minutes")]
    pub timestamp_tolerance_secs: u32,
    /// Which vendor field is our `employee_id` (case-insensitive): WeCom and DingTalk
    /// `userid`, Feishu `user_id` unless told (Feishu: also `employee_no`, `open_id`, ...).
    pub employee_id_field: Option<String>,
    /// The vendor's department ids → our department codes; an unmapped department
    /// leaves the event unmatched.
    #[serde(default)]
    pub departments: BTreeMap<String, String>,
}

fn five_minutes() -> u32 {
    300
}

/// Where and as whom a source's API is called.
#[derive(Debug, Clone)]
pub struct ApiCredentials {
    /// No trailing slash.
    pub base_url: String,
    /// Feishu's app id, DingTalk's AppKey.
    pub app: String,
    pub secret: SecretString,
}

/// How a source's callbacks are authenticated and opened.
#[derive(Debug, Clone)]
pub enum SourceKeys {
    /// WeCom, DingTalk: the WXBizMsgCrypt scheme.
    Callback(CallbackCrypto),
    Feishu(FeishuKeys),
}

/// A configured source, its keys decoded.
#[derive(Debug, Clone)]
pub struct HrSource {
    pub name: String,
    pub vendor: Vendor,
    pub keys: SourceKeys,
    /// Lower-case.
    pub employee_id_field: String,
    pub departments: BTreeMap<String, String>,
    /// Set when the source's events that carry only ids are enriched through its API.
    pub api: Option<ApiCredentials>,
    /// How far a signed timestamp may be from our clock.
    pub timestamp_tolerance_secs: u32,
}

impl HrSource {
    /// The HR event `event` is enriched into through the source's API, when it is.
    pub fn enriches(&self, event: &VendorEvent) -> Option<&'static str> {
        self.api.as_ref()?;
        match (&event.change, self.vendor) {
            (Change::NeedsEnrichment { event_type }, _) => Some(event_type),
            // DingTalk's departure events carry no date: its API has the last working day,
            // whether the person has left yet, and the successor (`handoverUserId`).
            (Change::Left, Vendor::Dingtalk) => Some("employee.terminated"),
            _ => None,
        }
    }
}

/// What the callback handlers hold: the sources, their counters, and the enricher's bell.
#[derive(Clone)]
pub struct Callbacks {
    pub sources: HrSources,
    pub metrics: metrics::HrSourceMetrics,
    pub wake: enrichment::EnrichmentWake,
}

/// Every configured source by name.
#[derive(Debug, Clone, Default)]
pub struct HrSources(pub BTreeMap<String, HrSource>);

impl HrSources {
    /// The sources of the settings; a bad or missing key names its source.
    pub fn from_settings(settings: &BTreeMap<String, HrSourceSettings>) -> anyhow::Result<Self> {
        let mut sources = BTreeMap::new();
        for (name, s) in settings {
            let keys =
                source_keys(s).map_err(|e| anyhow::anyhow!("staffing.hr_sources.{name}: {e}"))?;
            let field = s
                .employee_id_field
                .as_deref()
                .unwrap_or(s.vendor.default_employee_id_field());
            sources.insert(
                name.clone(),
                HrSource {
                    name: name.clone(),
                    vendor: s.vendor,
                    keys,
                    employee_id_field: field.to_ascii_lowercase(),
                    departments: s.departments.clone(),
                    timestamp_tolerance_secs: s.timestamp_tolerance_secs,
                    api: api_credentials(s)
                        .map_err(|e| anyhow::anyhow!("staffing.hr_sources.{name}: {e}"))?,
                },
            );
        }
        Ok(Self(sources))
    }

    pub fn get(&self, name: &str) -> Option<&HrSource> {
        self.0.get(name)
    }
}

/// The source's API sign-in, when its credentials are set (both, or neither).
fn api_credentials(s: &HrSourceSettings) -> Result<Option<ApiCredentials>, String> {
    let (app, default_base) = match s.vendor {
        Vendor::Feishu => (s.app_id.as_ref(), "https://open.feishu.cn"),
        Vendor::Dingtalk => (s.app_key.as_ref(), "https://api.dingtalk.com"),
        Vendor::Wecom => return Ok(None),
    };
    match (app, &s.app_secret) {
        (Some(app), Some(secret)) => Ok(Some(ApiCredentials {
            base_url: s
                .api_base_url
                .as_deref()
                .unwrap_or(default_base)
                .trim_end_matches('/')
                .to_owned(),
            app: app.clone(),
            secret: secret.clone(),
        })),
        (None, Some(_)) => Err(match s.vendor {
            Vendor::Feishu => "app_secret is set without app_id".to_owned(),
            _ => "app_secret is set without app_key".to_owned(),
        }),
        _ => Ok(None),
    }
}

fn source_keys(s: &HrSourceSettings) -> Result<SourceKeys, String> {
    let secret = |v: &Option<SecretString>| v.as_ref().map(|v| v.expose_secret().to_owned());
    match s.vendor {
        Vendor::Wecom | Vendor::Dingtalk => {
            let (Some(token), Some(key), Some(receive_id)) = (
                secret(&s.token),
                secret(&s.encoding_aes_key),
                s.receive_id.as_ref(),
            ) else {
                return Err("token, encoding_aes_key and receive_id are required".to_owned());
            };
            CallbackCrypto::new(&token, &key, receive_id).map(SourceKeys::Callback)
        }
        Vendor::Feishu => FeishuKeys::new(
            secret(&s.encrypt_key),
            secret(&s.verification_token),
            s.app_id.clone(),
            s.timestamp_tolerance_secs,
        )
        .map(SourceKeys::Feishu),
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
    /// Left on a known last working day (from the vendor's API), the successor HR named
    /// (the vendor's id of them) when there is one.
    LeftOn {
        last_working_day: NaiveDate,
        successor: Option<String>,
    },
    /// Will leave: a resignation with its last working day when the event carries it
    /// (noticed the day it arrives), and the successor HR named.
    Resigning {
        last_working_day: Option<NaiveDate>,
        successor: Option<String>,
    },
    /// A resignation withdrawn or refused.
    Rescinded,
    /// Means `event_type`, but what that needs (the date) is only in the vendor's API.
    NeedsEnrichment { event_type: &'static str },
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

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vendor: Vendor) -> HrSourceSettings {
        HrSourceSettings {
            vendor,
            token: None,
            encoding_aes_key: None,
            receive_id: None,
            encrypt_key: None,
            verification_token: None,
            app_id: None,
            app_key: None,
            app_secret: None,
            api_base_url: None,
            timestamp_tolerance_secs: 300,
            employee_id_field: None,
            departments: BTreeMap::new(),
        }
    }

    fn start(name: &str, s: HrSourceSettings) -> anyhow::Result<HrSources> {
        HrSources::from_settings(&BTreeMap::from([(name.to_owned(), s)]))
    }

    #[test]
    fn each_vendor_requires_its_own_keys_and_names_the_source() {
        let err = start("wx", settings(Vendor::Wecom))
            .unwrap_err()
            .to_string();
        assert!(err.contains("staffing.hr_sources.wx") && err.contains("encoding_aes_key"));
        let err = start("fs", settings(Vendor::Feishu))
            .unwrap_err()
            .to_string();
        assert!(err.contains("staffing.hr_sources.fs") && err.contains("encrypt_key"));

        let mut wecom = settings(Vendor::Wecom);
        wecom.token = Some("t".into());
        wecom.encoding_aes_key = Some("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG".into());
        wecom.receive_id = Some("corp".into());
        let sources = start("wx", wecom).unwrap();
        assert_eq!(sources.get("wx").unwrap().employee_id_field, "userid");

        let mut feishu = settings(Vendor::Feishu);
        feishu.verification_token = Some("v".into());
        let sources = start("fs", feishu.clone()).unwrap();
        let fs = sources.get("fs").unwrap();
        assert_eq!(fs.employee_id_field, "user_id");
        assert!(matches!(&fs.keys, SourceKeys::Feishu(k) if !k.encrypts()));
        feishu.employee_id_field = Some("Employee_No".into());
        let sources = start("fs", feishu).unwrap();
        assert_eq!(sources.get("fs").unwrap().employee_id_field, "employee_no");
    }
}
