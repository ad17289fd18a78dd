//! Staffing's own section of the settings (`[staffing]`), beside the port and database
//! the platform reads there.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct StaffingSettings {
    /// Rows a CSV import may hold; a larger file is refused before anything is written.
    #[serde(default = "max_import_rows")]
    pub max_import_rows: usize,
}

fn max_import_rows() -> usize {
    100_000
}
