//! Staffing's own section of the settings (`[staffing]`), beside the port and database
//! the platform reads there, and the rules they make.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::domain::coverage::CoverageRules;
use crate::domain::handover::HandoverRules;

#[derive(Debug, Clone, Deserialize)]
pub struct StaffingSettings {
    /// Rows a CSV import may hold; a larger file is refused before anything is written.
    #[serde(default = "max_import_rows")]
    pub max_import_rows: usize,
    /// A new installation (no departments yet) starts with the key departments `sales`,
    /// `quality` and `after_sales` (two effective members each); `false` starts with none.
    #[serde(default = "yes")]
    pub seed_key_departments: bool,
    /// Days after hiring before a person counts as an effective team member.
    #[serde(default = "ninety")]
    pub settling_in_days: u32,
    /// Once a project's stabilization period is over, a departure this many days ahead
    /// puts its department at risk.
    #[serde(default = "ninety")]
    pub at_risk_horizon_days: u32,
    /// A last working day closer than this many days when a handover opens...
    #[serde(default = "seven")]
    pub handover_min_notice_days: u32,
    /// ...gives the successor this many days from the opening instead.
    #[serde(default = "fourteen")]
    pub handover_grace_days: u32,
    /// `[staffing.hr_sources.<name>]`: the HR systems (WeCom, DingTalk, Feishu) whose callbacks
    /// `/v1/hr/sources/<name>/events` takes.
    #[serde(default)]
    pub hr_sources: std::collections::BTreeMap<String, crate::hr_sources::HrSourceSettings>,
    /// `[staffing.hr_api]`: how the HR sources' APIs are called for enrichment.
    #[serde(default)]
    pub hr_api: HrApiSettings,
}

/// Calls to the HR vendors' APIs (enrichment of events that carry only ids).
#[derive(Debug, Clone, Deserialize)]
pub struct HrApiSettings {
    /// An egress proxy for these calls alone (`http://proxy.corp:3128`); without it they go
    /// direct. Proxy variables of the environment are never read, and webhooks to
    /// subscribers never use this proxy.
    #[serde(default)]
    pub proxy: Option<String>,
    /// Per call, sign-in included.
    #[serde(default = "ten")]
    pub timeout_secs: u64,
    /// The first retry of a failed enrichment waits this many milliseconds; each next one twice as
    /// long, up to `retry_max_secs`.
    #[serde(default = "thirty_seconds")]
    pub retry_first_millis: u64,
    #[serde(default = "hour")]
    pub retry_max_secs: u64,
    /// After this many failed attempts the event is left `unmatched` with the last
    /// failure; a replay tries again.
    #[serde(default = "twenty")]
    pub max_attempts: u32,
    /// How often events due for enrichment are looked for (new ones start at once).
    #[serde(default = "one_second")]
    pub poll_millis: u64,
}

impl Default for HrApiSettings {
    fn default() -> Self {
        Self {
            proxy: None,
            timeout_secs: ten(),
            retry_first_millis: thirty_seconds(),
            retry_max_secs: hour(),
            max_attempts: twenty(),
            poll_millis: one_second(),
        }
    }
}

fn max_import_rows() -> usize {
    100_000
}
fn yes() -> bool {
    true
}
fn ninety() -> u32 {
    90
}
fn seven() -> u32 {
    7
}
fn fourteen() -> u32 {
    14
}
fn ten() -> u64 {
    10
}
fn thirty_seconds() -> u64 {
    30_000
}
fn hour() -> u64 {
    3600
}
fn twenty() -> u32 {
    20
}
fn one_second() -> u64 {
    1000
}

/// The rules staffing's use cases read dates with: the company's time zone and the
/// settings above. Shared by the API, the event handler and the daily job.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub coverage: CoverageRules,
    pub handover: HandoverRules,
    pub time_zone: Tz,
}

impl Rules {
    pub fn new(settings: &StaffingSettings, time_zone: Tz) -> Self {
        Self {
            coverage: CoverageRules {
                settling_in_days: settings.settling_in_days,
                horizon_days: settings.at_risk_horizon_days,
            },
            handover: HandoverRules {
                min_notice_days: settings.handover_min_notice_days,
                grace_days: settings.handover_grace_days,
            },
            time_zone,
        }
    }

    /// The company's date at `at`.
    pub fn today(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.time_zone).date_naive()
    }
}
