//! Secret values of the settings: parsed here, so the settings are valid once loaded.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};

/// The key bytes of a `whsec_` + base64 secret.
pub fn decode_webhook_secret(secret: &SecretString) -> Result<Vec<u8>, String> {
    let raw = secret.expose_secret();
    let b64 = raw.strip_prefix("whsec_").ok_or("must start with whsec_")?;
    let key = STANDARD
        .decode(b64)
        .map_err(|_| "must be whsec_ followed by base64")?;
    if key.len() < 16 {
        return Err("must hold at least 16 bytes of key".into());
    }
    Ok(key)
}

/// Secrets given as a list (a configuration file) or as one string of several separated
/// by spaces or commas (an environment variable).
pub fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<SecretString>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    let all = match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    };
    Ok(all
        .iter()
        .flat_map(|s| s.split(|c: char| c == ',' || c.is_whitespace()))
        .filter(|s| !s.is_empty())
        .map(|s| SecretString::from(s.to_owned()))
        .collect())
}
