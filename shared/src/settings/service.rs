//! The part of a service's section that the platform reads: where it listens, where its
//! data is, where the others reach it. A service's own keys sit in the same section and
//! are read by the service (see [`super::Settings::section`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

/// `[<service>]`: every top-level table that is not a platform section names a service of
/// the suite: the one this process runs, or a peer it delivers events to.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ServiceSettings {
    /// Where it listens; 0 for any free port.
    pub port: Option<u16>,
    /// `sqlite://PATH` or `postgres://...`; unset means `sqlite://{data_dir}/{service}.db`.
    pub database_url: Option<String>,
    /// Where the other services reach it; unset means `http://127.0.0.1:{port}`.
    pub base_url: Option<String>,
}

impl ServiceSettings {
    /// Where the others reach this service, if it can be told.
    pub fn base_url(&self) -> Option<String> {
        match (&self.base_url, self.port) {
            (Some(url), _) => Some(url.trim_end_matches('/').to_owned()),
            (None, Some(port)) if port != 0 => Some(format!("http://127.0.0.1:{port}")),
            _ => None,
        }
    }
}

/// Every top-level table that is not a platform section, as a service section; a plain
/// value (such as `CONTINUITY_TEST_POSTGRES_URL`, read by the tests) is no section. A bad
/// value inside a section is an error naming its key.
pub(super) fn sections<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, ServiceSettings>, D::Error> {
    let entries = BTreeMap::<String, serde_json::Value>::deserialize(d)?;
    entries
        .into_iter()
        .filter(|(_, v)| v.is_object())
        .map(|(k, v)| {
            let section = serde_json::from_value(v)
                .map_err(|e| serde::de::Error::custom(format!("{k}.{e}")))?;
            Ok((k, section))
        })
        .collect()
}
