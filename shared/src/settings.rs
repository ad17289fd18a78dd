//! Layered settings: built-in defaults < an optional TOML file < `CONTINUITY_*` variables.
//!
//! One naming scheme everywhere: a key's path, upper-cased, joined by `__`, after the
//! `CONTINUITY_` prefix. `http.host` is `CONTINUITY_HTTP__HOST`, the staffing database is
//! `CONTINUITY_STAFFING__DATABASE_URL`, the admin token `CONTINUITY_ADMIN_TOKEN`. The file is
//! `continuity.toml` in the working directory, or the one `CONTINUITY_CONFIG` names.

use std::path::PathBuf;

use config::{Config, Environment, File, FileFormat};
use secrecy::SecretString;
use serde::Deserialize;

use crate::auth::Role;
use crate::db::DatabaseUrl;

/// Everything the suite can be told. Every service reads the whole of it and uses its own
/// section (`staffing`, `training_record`, ...), so one file configures the whole suite.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// Where SQLite files and `credentials.toml` live.
    pub data_dir: PathBuf,
    pub admin_token: Option<SecretString>,
    pub service_token: Option<SecretString>,
    pub hr_webhook_secret: Option<SecretString>,
    /// Further bearer tokens, stored as SHA-256 hex digests, never in clear.
    #[serde(default)]
    pub tokens: Vec<TokenSpec>,
    pub http: HttpSettings,
    pub database: DatabaseSettings,
    pub log: LogSettings,
    pub events: EventSettings,
    pub staffing: ServiceSettings,
    pub training_record: ServiceSettings,
    pub process_change: ServiceSettings,
    pub scheduling: ServiceSettings,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TokenSpec {
    /// Lower-case hex SHA-256 of the token.
    pub sha256: String,
    pub roles: Vec<Role>,
    /// Required for the `member` role: the one person this token may act as.
    pub employee_id: Option<String>,
    /// Who holds the token, for logs.
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct HttpSettings {
    pub host: String,
    /// Largest JSON or CSV body accepted; larger is 413.
    pub body_limit_bytes: usize,
    /// Seconds that requests in flight get to finish on shutdown.
    pub shutdown_timeout_seconds: u64,
    /// Worker threads per service; 0 means one per core.
    pub workers: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    /// Connections per service (PostgreSQL), or readers per service (SQLite, which has
    /// a single writer connection besides).
    pub pool_size: u32,
    /// `full` (no acknowledged write lost on power failure) or `normal` (faster).
    pub sqlite_synchronous: SqliteSynchronous,
    pub busy_timeout_ms: u64,
    /// How long a request waits for a free connection before a 503.
    pub acquire_timeout_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSynchronous {
    Full,
    Normal,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogSettings {
    /// `text` for people, `json` for log collectors.
    pub format: LogFormat,
    /// A tracing filter such as `info` or `staffing=debug,info`.
    pub level: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// Delivery of events to the other services and to webhooks.
#[derive(Debug, Clone, Deserialize)]
pub struct EventSettings {
    /// Whether this process delivers its outbox (off for a replica that should not).
    pub dispatcher: bool,
    /// Attempts before an event is parked as dead.
    pub max_attempts: i32,
    /// First retry delay; doubled each attempt, with jitter, up to `max_delay_ms`.
    pub base_delay_ms: u64,
    pub max_delay_ms: u64,
    /// Events per request to a peer service.
    pub batch_size: i64,
    /// How often an idle dispatcher looks for due retries.
    pub poll_interval_ms: u64,
    /// At most 2000 (webhooks must not hang on a slow handshake).
    pub connect_timeout_ms: u64,
    /// At most 10000.
    pub request_timeout_ms: u64,
    /// How long a claimed batch stays with one dispatcher before another may take it.
    pub lease_seconds: i64,
    /// Allow webhook URLs on loopback and private networks (tests, closed networks).
    pub allow_private_webhook_targets: bool,
    /// Delivered events, webhook attempts and idempotency keys are kept this long.
    pub retention_hours: i64,
    /// Received event ids are kept this long to recognise repeats; longer than any
    /// producer keeps retrying.
    pub inbox_retention_hours: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServiceSettings {
    pub port: u16,
    /// `sqlite://PATH` or `postgres://...`; unset means `sqlite://{data_dir}/{service}.db`.
    pub database_url: Option<String>,
    /// Where the other services reach this one; unset means `http://127.0.0.1:{port}`.
    pub base_url: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("configuration could not be read: {0}")]
    Load(#[from] config::ConfigError),
    #[error("configuration key `{key}` is invalid: {message}")]
    Invalid { key: String, message: String },
}

const DEFAULTS: &str = r#"
data_dir = "./data"
[http]
host = "127.0.0.1"
body_limit_bytes = 1048576
shutdown_timeout_seconds = 30
workers = 0
[database]
pool_size = 8
sqlite_synchronous = "full"
busy_timeout_ms = 5000
acquire_timeout_ms = 5000
[log]
format = "text"
level = "info"
[events]
dispatcher = true
max_attempts = 200
base_delay_ms = 500
max_delay_ms = 30000
batch_size = 200
poll_interval_ms = 500
connect_timeout_ms = 2000
request_timeout_ms = 10000
lease_seconds = 30
allow_private_webhook_targets = false
retention_hours = 168
inbox_retention_hours = 720
[staffing]
port = 8081
[training_record]
port = 8082
[process_change]
port = 8083
[scheduling]
port = 8084
"#;

impl Settings {
    /// Reads defaults, the optional file and the process environment.
    pub fn load() -> Result<Self, SettingsError> {
        let file = std::env::var("CONTINUITY_CONFIG").ok();
        let env: Vec<(String, String)> = std::env::vars().collect();
        Self::load_from(file.as_deref(), env)
    }

    /// Like [`Settings::load`], with the file and the variables given (for tests).
    pub fn load_from(
        file: Option<&str>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, SettingsError> {
        let env = env
            .into_iter()
            .filter(|(k, _)| k.starts_with("CONTINUITY_") && k != "CONTINUITY_CONFIG")
            .collect();
        let file_source = match file {
            Some(path) => File::with_name(path).required(true),
            None => File::with_name("continuity.toml").required(false),
        };
        let settings: Settings = Config::builder()
            .add_source(File::from_str(DEFAULTS, FileFormat::Toml))
            .add_source(file_source)
            .add_source(
                Environment::with_prefix("CONTINUITY")
                    .prefix_separator("_")
                    .separator("__")
                    .try_parsing(true)
                    .source(Some(env)),
            )
            .build()?
            .try_deserialize()?;
        settings.validate()?;
        Ok(settings)
    }

    /// Section of one service by its name (`staffing`, `training-record`, ...).
    pub fn service(&self, name: &str) -> Option<&ServiceSettings> {
        match name {
            "staffing" => Some(&self.staffing),
            "training-record" => Some(&self.training_record),
            "process-change" => Some(&self.process_change),
            "scheduling" => Some(&self.scheduling),
            _ => None,
        }
    }

    pub fn service_mut(&mut self, name: &str) -> Option<&mut ServiceSettings> {
        match name {
            "staffing" => Some(&mut self.staffing),
            "training-record" => Some(&mut self.training_record),
            "process-change" => Some(&mut self.process_change),
            "scheduling" => Some(&mut self.scheduling),
            _ => None,
        }
    }

    /// Where the other services reach `name`.
    pub fn base_url(&self, name: &str) -> Option<String> {
        let s = self.service(name)?;
        Some(match &s.base_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://127.0.0.1:{}", s.port),
        })
    }

    /// The database of one service: its own URL, or a SQLite file in the data directory.
    pub fn database_url(&self, name: &str) -> Result<DatabaseUrl, SettingsError> {
        let section = name.replace('-', "_");
        match self.service(name).and_then(|s| s.database_url.as_deref()) {
            Some(url) => DatabaseUrl::parse(url).map_err(|message| SettingsError::Invalid {
                key: format!("{section}.database_url"),
                message,
            }),
            None => Ok(DatabaseUrl::Sqlite(
                self.data_dir.join(format!("{name}.db")),
            )),
        }
    }

    fn validate(&self) -> Result<(), SettingsError> {
        let invalid = |key: &str, message: &str| {
            Err(SettingsError::Invalid {
                key: key.to_owned(),
                message: message.to_owned(),
            })
        };
        if self.http.body_limit_bytes == 0 {
            return invalid("http.body_limit_bytes", "must be greater than zero");
        }
        if !(1..=2000).contains(&self.events.connect_timeout_ms) {
            return invalid("events.connect_timeout_ms", "must be between 1 and 2000");
        }
        if !(1..=10000).contains(&self.events.request_timeout_ms) {
            return invalid("events.request_timeout_ms", "must be between 1 and 10000");
        }
        if self.events.retention_hours < 1 {
            return invalid("events.retention_hours", "must be at least 1");
        }
        if self.events.inbox_retention_hours < self.events.retention_hours {
            return invalid(
                "events.inbox_retention_hours",
                "must be at least events.retention_hours",
            );
        }
        if self.events.max_attempts < 1 {
            return invalid("events.max_attempts", "must be at least 1");
        }
        if !(1..=1000).contains(&self.events.batch_size) {
            return invalid("events.batch_size", "must be between 1 and 1000");
        }
        if self.database.pool_size == 0 {
            return invalid("database.pool_size", "must be greater than zero");
        }
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log.level) {
            return invalid("log.level", &e.to_string());
        }
        for name in crate::server::SERVICE_NAMES {
            self.database_url(name)?;
        }
        if let Some(secret) = &self.hr_webhook_secret
            && let Err(message) = crate::credentials::decode_webhook_secret(secret)
        {
            return invalid("hr_webhook_secret", &message);
        }
        for (i, token) in self.tokens.iter().enumerate() {
            let valid_hash =
                token.sha256.len() == 64 && token.sha256.bytes().all(|b| b.is_ascii_hexdigit());
            if !valid_hash {
                return invalid(&format!("tokens[{i}].sha256"), "must be 64 hex digits");
            }
            if token.roles.is_empty() {
                return invalid(&format!("tokens[{i}].roles"), "must name at least one role");
            }
            let is_member = token.roles.contains(&Role::Member);
            match &token.employee_id {
                None if is_member => {
                    return invalid(
                        &format!("tokens[{i}].employee_id"),
                        "a member token must name its employee_id",
                    );
                }
                Some(id) if crate::ids::EmployeeId::parse(id).is_err() => {
                    return invalid(
                        &format!("tokens[{i}].employee_id"),
                        "is not a valid employee id",
                    );
                }
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_give_every_service_its_contract_port() {
        let s = Settings::load_from(None, env(&[])).unwrap();
        assert_eq!(s.staffing.port, 8081);
        assert_eq!(s.training_record.port, 8082);
        assert_eq!(s.process_change.port, 8083);
        assert_eq!(s.scheduling.port, 8084);
        assert_eq!(s.database.sqlite_synchronous, SqliteSynchronous::Full);
    }

    #[test]
    fn environment_overrides_nested_keys_with_double_underscores() {
        let s = Settings::load_from(
            None,
            env(&[
                ("CONTINUITY_STAFFING__PORT", "9001"),
                ("CONTINUITY_HTTP__BODY_LIMIT_BYTES", "2048"),
                ("CONTINUITY_DATA_DIR", "/tmp/x"),
            ]),
        )
        .unwrap();
        assert_eq!(s.staffing.port, 9001);
        assert_eq!(s.http.body_limit_bytes, 2048);
        assert_eq!(s.data_dir, PathBuf::from("/tmp/x"));
    }

    #[test]
    fn a_bad_database_url_is_refused_naming_its_key() {
        let err = Settings::load_from(
            None,
            env(&[("CONTINUITY_SCHEDULING__DATABASE_URL", "mysql://x")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("scheduling.database_url"), "{err}");
    }

    #[test]
    fn a_bad_webhook_secret_is_refused_naming_its_key() {
        let err = Settings::load_from(None, env(&[("CONTINUITY_HR_WEBHOOK_SECRET", "plain")]))
            .unwrap_err();
        assert!(err.to_string().contains("hr_webhook_secret"), "{err}");
    }

    #[test]
    fn a_value_of_the_wrong_type_is_refused_naming_its_key() {
        let err =
            Settings::load_from(None, env(&[("CONTINUITY_HTTP__WORKERS", "many")])).unwrap_err();
        assert!(err.to_string().contains("workers"), "{err}");
    }

    #[test]
    fn a_config_file_sits_between_defaults_and_environment() {
        let dir = std::env::temp_dir().join(format!("continuity-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.toml");
        std::fs::write(
            &path,
            "[staffing]\nport = 7001\n[scheduling]\nport = 7004\n",
        )
        .unwrap();
        let s = Settings::load_from(
            Some(path.to_str().unwrap()),
            env(&[("CONTINUITY_SCHEDULING__PORT", "7104")]),
        )
        .unwrap();
        assert_eq!(s.staffing.port, 7001);
        assert_eq!(s.scheduling.port, 7104);
    }
}
