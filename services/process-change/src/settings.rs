//! Process-change's own section of the settings (`[process_change]`).

use serde::Deserialize;

#[derive(Debug, Clone, Copy, Deserialize)]
pub struct ProcessChangeSettings {
    /// Days after a notice's publication when a pending acknowledgment is reported
    /// overdue (`acknowledgment.overdue`, once each).
    #[serde(default = "seven")]
    pub acknowledgment_overdue_days: u32,
}

fn seven() -> u32 {
    7
}
