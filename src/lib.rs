//! The all-in-one binary's parts that its companion shares: the four services, the
//! settings and credentials as the services read them, a small API client, and the demo
//! company.

use continuity_shared::service::ServiceDef;

pub mod client;
pub mod demo;

/// The suite, in the order it starts and is listed.
pub static SERVICES: [&ServiceDef; 4] = [
    &staffing::SERVICE,
    &training_record::SERVICE,
    &process_change::SERVICE,
    &scheduling::SERVICE,
];

/// The settings exactly as the services load them (defaults, `continuity.toml` or
/// `CONTINUITY_CONFIG`, then the environment), with the credentials the settings lack read
/// from the credentials file (nothing is generated). Also the file's path, when read.
pub fn settings() -> anyhow::Result<(
    continuity_shared::settings::Settings,
    Option<std::path::PathBuf>,
)> {
    let defaults: String = SERVICES.iter().map(|d| d.default_section()).collect();
    let mut settings = continuity_shared::settings::Settings::load(&defaults)?;
    let file = continuity_shared::credentials::read_existing(&mut settings)?;
    Ok((settings, file))
}
