//! process-change's own section of the settings (`[process_change]`), beside the port and
//! database the platform reads there.

use continuity_contract::ServiceName;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct ProcessChangeSettings {
    /// The service whose roster events feed the copy.
    #[serde(default = "roster_producer")]
    pub roster_from: ServiceName,
}

fn roster_producer() -> ServiceName {
    // A literal that parses: checked by the test below.
    ServiceName::parse("staffing").unwrap_or_else(|_| unreachable!("a valid service name"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_roster_comes_from_staffing_by_default() {
        assert_eq!(super::roster_producer().as_str(), "staffing");
    }
}
