//! The credentials file: only the values the settings do not give, owner-only, replaced
//! whole (a temporary file renamed over it) so that a crash never leaves half a file.

use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Credential, CredentialsError};

/// What the file holds. Every value is optional: a value the environment gives is not
/// written, so the file never shows a token that is not in effect.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Stored {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    admin_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    service_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hr_webhook_secret: Option<String>,
}

impl Stored {
    pub(super) fn get(&self, credential: Credential) -> Option<&str> {
        match credential {
            Credential::AdminToken => self.admin_token.as_deref(),
            Credential::ServiceToken => self.service_token.as_deref(),
            Credential::HrWebhookSecret => self.hr_webhook_secret.as_deref(),
        }
    }

    pub(super) fn set(&mut self, credential: Credential, value: String) {
        let slot = match credential {
            Credential::AdminToken => &mut self.admin_token,
            Credential::ServiceToken => &mut self.service_token,
            Credential::HrWebhookSecret => &mut self.hr_webhook_secret,
        };
        *slot = Some(value);
    }
}

/// The file's content, or nothing stored yet when it does not exist.
pub(super) fn read(path: &Path) -> Result<Stored, CredentialsError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        // Below a plain file nothing exists either; writing will say what is wrong.
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(Stored::default());
        }
        Err(source) => {
            return Err(CredentialsError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    toml::from_str(&text).map_err(|e| CredentialsError::Invalid {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

/// Writes `stored` to `path` (0600) in an owner-only directory, created if missing.
pub(super) fn write(path: &Path, stored: &Stored) -> io::Result<()> {
    let text = toml::to_string(stored).map_err(io::Error::other)?;
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        crate::db::files::private_dir(dir)?;
    }
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".new");
    let temporary = Path::new(&temporary);
    // Left by a start that died between writing and renaming.
    match std::fs::remove_file(temporary) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(temporary)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(temporary, path)
}
