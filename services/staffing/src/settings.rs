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
