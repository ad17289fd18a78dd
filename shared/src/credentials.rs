//! First-start credentials: a random admin token, service token and HR webhook secret,
//! kept in `{data_dir}/credentials.toml` (owner-only) unless the environment gives them.
//! No token or secret is ever a fixed, well-known default.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::settings::Settings;

#[derive(Serialize, Deserialize)]
struct CredentialsFile {
    admin_token: String,
    service_token: String,
    hr_webhook_secret: String,
}

/// What [`ensure`] did, so the launcher can say it.
#[derive(Debug)]
pub struct CredentialsOutcome {
    pub path: PathBuf,
    /// Set when the file was created now: its content, to print this once.
    pub generated: Option<String>,
}

/// Fills the admin token, service token and webhook secret that the settings lack, from
/// the credentials file, creating it with fresh random values on first start.
pub fn ensure(settings: &mut Settings) -> anyhow::Result<CredentialsOutcome> {
    let path = settings.data_dir.join("credentials.toml");
    let mut generated = None;
    let file = if path.exists() {
        toml::from_str::<CredentialsFile>(&std::fs::read_to_string(&path)?)
            .map_err(|e| anyhow::anyhow!("{} is not readable: {e}", path.display()))?
    } else {
        let file = CredentialsFile {
            admin_token: random_token("adm"),
            service_token: random_token("svc"),
            hr_webhook_secret: format!("whsec_{}", STANDARD.encode(random_bytes::<32>())),
        };
        let text = toml::to_string(&file)?;
        write_owner_only(&path, &text)?;
        generated = Some(text);
        file
    };
    let fill = |slot: &mut Option<SecretString>, value: String| {
        if slot.is_none() {
            *slot = Some(SecretString::from(value));
        }
    };
    fill(&mut settings.admin_token, file.admin_token);
    fill(&mut settings.service_token, file.service_token);
    fill(&mut settings.hr_webhook_secret, file.hr_webhook_secret);
    Ok(CredentialsOutcome { path, generated })
}

/// The key bytes of a `whsec_` + base64 secret.
pub use crate::settings::secrets::decode_webhook_secret;

/// A fresh bearer token: a readable prefix and 32 random bytes.
pub fn random_token(prefix: &str) -> String {
    format!("{prefix}_{}", hex::encode(random_bytes::<32>()))
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

fn write_owner_only(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn settings_in(dir: &Path, env: &[(&str, &str)]) -> Settings {
        let mut vars = vec![("CONTINUITY_DATA_DIR".to_string(), dir.display().to_string())];
        vars.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Settings::load_from("", None, vars).unwrap()
    }

    #[test]
    fn first_start_generates_private_random_credentials_and_later_starts_reuse_them() {
        let dir = tempdir();
        let mut first = settings_in(&dir, &[]);
        let outcome = ensure(&mut first).unwrap();
        assert!(outcome.generated.is_some());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&outcome.path)
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let mut second = settings_in(&dir, &[]);
        assert!(ensure(&mut second).unwrap().generated.is_none());
        assert_eq!(
            first.admin_token.unwrap().expose_secret(),
            second.admin_token.unwrap().expose_secret()
        );
        assert!(decode_webhook_secret(&second.hr_webhook_secret.unwrap()).is_ok());
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let dir = tempdir();
        let mut s = settings_in(&dir, &[("CONTINUITY_ADMIN_TOKEN", "from-env")]);
        ensure(&mut s).unwrap();
        assert_eq!(s.admin_token.unwrap().expose_secret(), "from-env");
    }

    fn tempdir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("continuity-cred-{}", crate::ids::new_id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
