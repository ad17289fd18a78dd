//! First-start credentials: a random admin token, service token and HR webhook secret,
//! kept in `{data_dir}/credentials.toml` (owner-only) for whichever of them the settings
//! (environment or configuration file) do not give. No token or secret is ever a fixed,
//! well-known default.
//!
//! When the settings give all three, the file is neither read nor written and the data
//! directory is not created: that is how a container with a read-only data directory runs.

use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use secrecy::SecretString;

use crate::settings::Settings;

mod banner;
mod store;

pub use banner::banner;

/// The file's name in the data directory.
pub const FILE_NAME: &str = "credentials.toml";

/// One of the credentials every process needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    AdminToken,
    ServiceToken,
    HrWebhookSecret,
}

impl Credential {
    pub const ALL: [Credential; 3] = [
        Credential::AdminToken,
        Credential::ServiceToken,
        Credential::HrWebhookSecret,
    ];

    /// The environment variable that gives it.
    pub fn variable(self) -> &'static str {
        match self {
            Credential::AdminToken => "CONTINUITY_ADMIN_TOKEN",
            Credential::ServiceToken => "CONTINUITY_SERVICE_TOKEN",
            Credential::HrWebhookSecret => "CONTINUITY_HR_WEBHOOK_SECRET",
        }
    }

    /// How people call it.
    pub fn label(self) -> &'static str {
        match self {
            Credential::AdminToken => "admin token",
            Credential::ServiceToken => "service token",
            Credential::HrWebhookSecret => "HR webhook secret",
        }
    }

    fn generate(self) -> String {
        match self {
            Credential::AdminToken => random_token("adm"),
            Credential::ServiceToken => random_token("svc"),
            Credential::HrWebhookSecret => {
                format!("whsec_{}", STANDARD.encode(random_bytes::<32>()))
            }
        }
    }

    fn slot(self, settings: &mut Settings) -> &mut Option<SecretString> {
        match self {
            Credential::AdminToken => &mut settings.admin_token,
            Credential::ServiceToken => &mut settings.service_token,
            Credential::HrWebhookSecret => &mut settings.hr_webhook_secret,
        }
    }
}

/// Where a credential in effect came from.
#[derive(Debug)]
pub enum Origin {
    /// The settings: the environment or the configuration file.
    Settings,
    /// The credentials file, written by an earlier start.
    File,
    /// Generated now and saved to the credentials file: the value, to show this once.
    Generated(SecretString),
}

/// What [`ensure`] did, so the launcher can say it.
#[derive(Debug)]
pub struct CredentialsOutcome {
    /// The credentials file, when it was read or written; `None` when the settings gave
    /// everything and no file was touched.
    pub file: Option<PathBuf>,
    /// Each credential and where the value in effect came from, in [`Credential::ALL`] order.
    pub origins: Vec<(Credential, Origin)>,
}

impl CredentialsOutcome {
    pub fn generated_any(&self) -> bool {
        self.origins
            .iter()
            .any(|(_, o)| matches!(o, Origin::Generated(_)))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error("{path} could not be read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a valid credentials file: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error(
        "{path} could not be written ({source}); with a read-only data directory, give the \
         credentials in the environment: set {variables}"
    )]
    NotWritable {
        path: PathBuf,
        variables: String,
        source: std::io::Error,
    },
}

/// Fills the admin token, service token and webhook secret that the settings lack, from
/// the credentials file, generating (and saving) those the file lacks too.
pub fn ensure(settings: &mut Settings) -> Result<CredentialsOutcome, CredentialsError> {
    let missing: Vec<Credential> = Credential::ALL
        .into_iter()
        .filter(|c| c.slot(settings).is_none())
        .collect();
    let mut origins: Vec<(Credential, Origin)> = Credential::ALL
        .into_iter()
        .map(|c| (c, Origin::Settings))
        .collect();
    if missing.is_empty() {
        return Ok(CredentialsOutcome {
            file: None,
            origins,
        });
    }
    let path = settings.data_dir.join(FILE_NAME);
    let mut stored = store::read(&path)?;
    let mut generated = Vec::new();
    for credential in missing {
        let (value, origin) = match stored.get(credential) {
            Some(value) => (value.to_owned(), Origin::File),
            None => {
                let value = credential.generate();
                stored.set(credential, value.clone());
                generated.push(credential.variable());
                (value.clone(), Origin::Generated(SecretString::from(value)))
            }
        };
        *credential.slot(settings) = Some(SecretString::from(value));
        if let Some(entry) = origins.iter_mut().find(|(c, _)| *c == credential) {
            entry.1 = origin;
        }
    }
    if !generated.is_empty() {
        store::write(&path, &stored).map_err(|source| CredentialsError::NotWritable {
            path: path.clone(),
            variables: generated.join(", "),
            source,
        })?;
    }
    Ok(CredentialsOutcome {
        file: Some(path),
        origins,
    })
}

/// Fills what the settings lack from the credentials file, if there is one, without
/// generating or writing anything: for tools that talk to a running suite. The file's path
/// when it was read.
pub fn read_existing(settings: &mut Settings) -> Result<Option<PathBuf>, CredentialsError> {
    let path = settings.data_dir.join(FILE_NAME);
    if Credential::ALL
        .into_iter()
        .all(|c| c.slot(settings).is_some())
        || !path.exists()
    {
        return Ok(None);
    }
    let stored = store::read(&path)?;
    for credential in Credential::ALL {
        let slot = credential.slot(settings);
        if slot.is_none() {
            *slot = stored
                .get(credential)
                .map(|v| SecretString::from(v.to_owned()));
        }
    }
    Ok(Some(path))
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

#[cfg(test)]
mod tests;
