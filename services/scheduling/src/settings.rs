//! Scheduling's own section of the settings (`[scheduling]`).

use serde::Deserialize;

#[derive(Debug, Clone, Copy, Deserialize)]
pub struct SchedulingSettings {
    /// Rows an attrition import may hold; a larger file is refused, nothing written.
    #[serde(default = "max_import_rows")]
    pub max_import_rows: usize,
    /// Days after hiring before a newcomer counts as settled in (the company's setting).
    #[serde(default = "ninety")]
    pub settling_in_days: u32,
    /// Days from a departure until its replacement is hired.
    #[serde(default = "sixty")]
    pub hiring_delay_days: u32,
    /// Monte Carlo draws per scored candidate.
    #[serde(default = "draws")]
    pub monte_carlo_draws: u32,
}

fn max_import_rows() -> usize {
    2_000_000
}
fn ninety() -> u32 {
    90
}
fn sixty() -> u32 {
    60
}
fn draws() -> u32 {
    4_000
}
