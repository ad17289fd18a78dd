//! Training-record's own section of the settings (`[training_record]`), and the rules
//! they make.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use secrecy::SecretString;
use serde::Deserialize;

use crate::domain::progress::DEFAULT_COMPLETE_PERCENT;

#[derive(Debug, Clone, Deserialize)]
pub struct TrainingSettings {
    /// The watched share of a recording, in percent, that completes it.
    #[serde(default = "complete_percent")]
    pub complete_percent: u32,
    /// A successor whose handover is already past its due date gets this many days.
    #[serde(default = "fourteen")]
    pub catchup_days: u32,
    /// The largest upload, in bytes (default 8 GiB): a larger one is answered 413.
    #[serde(default = "eight_gib")]
    pub max_upload_bytes: u64,
    /// Where uploaded materials are kept; default `<data_dir>/training-materials`.
    #[serde(default)]
    pub storage_dir: Option<PathBuf>,
    /// The secret signed playback URLs are derived from; default: the service token.
    #[serde(default)]
    pub playback_secret: Option<SecretString>,
    /// How long a signed playback URL holds, in seconds (default 600).
    #[serde(default = "ten_minutes")]
    pub playback_seconds: u32,
    /// The S3-compatible bucket materials are kept in, instead of `storage_dir`.
    #[serde(default)]
    pub s3_bucket: Option<String>,
    /// The store's URL (an emulator, MinIO, …); default AWS's own for the region.
    #[serde(default)]
    pub s3_endpoint: Option<String>,
    #[serde(default)]
    pub s3_region: Option<String>,
    /// Credentials; default the `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` variables.
    #[serde(default)]
    pub s3_access_key_id: Option<String>,
    #[serde(default)]
    pub s3_secret_access_key: Option<SecretString>,
    /// Allow a plain-http endpoint (a local emulator).
    #[serde(default)]
    pub s3_allow_http: bool,
    /// Hours an unfinished resumable upload is kept after its last request (default 24).
    #[serde(default = "one_day")]
    pub upload_expiry_hours: u32,
}

fn complete_percent() -> u32 {
    DEFAULT_COMPLETE_PERCENT
}
fn fourteen() -> u32 {
    14
}
fn ten_minutes() -> u32 {
    600
}
fn one_day() -> u32 {
    24
}
fn eight_gib() -> u64 {
    8 << 30
}

/// The rules the use cases read: shared by the API, the event handler and the daily job.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub complete_percent: u32,
    pub catchup_days: u32,
    pub time_zone: Tz,
    pub playback_seconds: u32,
    pub upload_expiry_hours: u32,
}

impl Rules {
    pub fn new(settings: &TrainingSettings, time_zone: Tz) -> anyhow::Result<Self> {
        if !(1..=100).contains(&settings.complete_percent) {
            anyhow::bail!("training_record.complete_percent must be from 1 to 100");
        }
        if !(1..=86_400).contains(&settings.playback_seconds) {
            anyhow::bail!("training_record.playback_seconds must be from 1 to 86400");
        }
        if !(1..=24 * 30).contains(&settings.upload_expiry_hours) {
            anyhow::bail!("training_record.upload_expiry_hours must be from 1 to 720");
        }
        Ok(Self {
            complete_percent: settings.complete_percent,
            catchup_days: settings.catchup_days,
            time_zone,
            playback_seconds: settings.playback_seconds,
            upload_expiry_hours: settings.upload_expiry_hours,
        })
    }

    /// When an upload last touched at `at` expires.
    pub fn upload_expires(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        at + chrono::Duration::hours(i64::from(self.upload_expiry_hours))
    }

    /// The company's date at `at`.
    pub fn today(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.time_zone).date_naive()
    }
}
