//! Layered settings: built-in defaults < an optional TOML file < `CONTINUITY_*` variables.
//!
//! One naming scheme everywhere: a key's path, upper-cased, joined by `__`, after the
//! `CONTINUITY_` prefix. `http.host` is `CONTINUITY_HTTP__HOST`, the staffing database is
//! `CONTINUITY_STAFFING__DATABASE_URL`, the admin token `CONTINUITY_ADMIN_TOKEN`. The file is
//! `continuity.toml` in the working directory, or the one `CONTINUITY_CONFIG` names.

use std::collections::BTreeMap;
use std::path::PathBuf;

use config::{Config, Environment, File, FileFormat};
use continuity_contract::{EmployeeId, Role, ServiceName};

use crate::clock::TimeZone;
use secrecy::SecretString;
use serde::Deserialize;
use serde::de::DeserializeOwned;

mod database_url;
pub mod secrets;
mod sections;
mod service;

pub use database_url::DatabaseUrl;
pub use sections::{
    DatabaseSettings, EventSettings, HttpSettings, LogFormat, LogSettings, SchedulerSettings,
    SqliteSynchronous,
};
pub use service::ServiceSettings;

/// Everything the suite can be told. Every process reads the whole of it: the platform's
/// sections below, and one section per service (`staffing`, `training_record`, ...), its
/// own and its peers', so one file configures the whole suite.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// Where SQLite files and `credentials.toml` live.
    pub data_dir: PathBuf,
    pub admin_token: Option<SecretString>,
    pub service_token: Option<SecretString>,
    pub hr_webhook_secret: Option<SecretString>,
    /// More HR webhook secrets accepted beside `hr_webhook_secret` (each `whsec_` +
    /// base64), so a new secret works before the old one is retired. A TOML list, or in
    /// `CONTINUITY_HR_WEBHOOK_SECRETS` several separated by spaces or commas.
    #[serde(default, deserialize_with = "secrets::list")]
    pub hr_webhook_secrets: Vec<SecretString>,
    /// Further bearer tokens, stored as SHA-256 hex digests, never in clear.
    #[serde(default)]
    pub tokens: Vec<TokenSpec>,
    /// The company's time zone, in which every "today" is read (IANA name).
    pub time_zone: TimeZone,
    pub http: HttpSettings,
    pub database: DatabaseSettings,
    pub log: LogSettings,
    pub events: EventSettings,
    pub scheduler: SchedulerSettings,
    /// The services' sections, by section name (`training_record`); other top-level
    /// values (variables of tools that share the prefix) are ignored.
    #[serde(flatten, deserialize_with = "service::sections")]
    services: BTreeMap<String, ServiceSettings>,
    /// Everything as loaded, for the services' own typed sections.
    #[serde(skip, default)]
    raw: Config,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TokenSpec {
    /// Lower-case hex SHA-256 of the token.
    pub sha256: String,
    pub roles: Vec<Role>,
    /// Required for the `member` role: the one person this token may act as.
    pub employee_id: Option<EmployeeId>,
    /// Who holds the token, for logs.
    #[serde(default)]
    pub name: String,
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
time_zone = "Asia/Shanghai"
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
lease_seconds = 6
allow_private_webhook_targets = false
retention_hours = 168
inbox_retention_hours = 720
subscriptions_refresh_seconds = 60
[scheduler]
enabled = true
tick_seconds = 30
"#;

impl Settings {
    /// Reads defaults, the launcher's defaults (the services it knows and their ports), the
    /// optional file and the process environment.
    pub fn load(launcher_defaults: &str) -> Result<Self, SettingsError> {
        let file = std::env::var("CONTINUITY_CONFIG").ok();
        let env: Vec<(String, String)> = std::env::vars().collect();
        Self::load_from(launcher_defaults, file.as_deref(), env)
    }

    /// Like [`Settings::load`], with the file and the variables given (for tests).
    pub fn load_from(
        launcher_defaults: &str,
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
        let raw = Config::builder()
            .add_source(File::from_str(DEFAULTS, FileFormat::Toml))
            .add_source(File::from_str(launcher_defaults, FileFormat::Toml))
            .add_source(file_source)
            .add_source(
                Environment::with_prefix("CONTINUITY")
                    .prefix_separator("_")
                    .separator("__")
                    .try_parsing(true)
                    .source(Some(env)),
            )
            .build()?;
        let mut settings: Settings = raw.clone().try_deserialize()?;
        settings.raw = raw;
        settings.validate()?;
        Ok(settings)
    }

    /// A service's own typed section (`[staffing]`, `[training_record]`, ...), defaults
    /// filled in by `T`'s serde defaults. A bad value names its key.
    pub fn section<T: DeserializeOwned>(&self, service: &ServiceName) -> Result<T, SettingsError> {
        let key = service.section();
        let value = self
            .raw
            .get::<config::Value>(&key)
            .unwrap_or_else(|_| config::Value::from(config::Map::<String, config::Value>::new()));
        value.try_deserialize().map_err(|e| SettingsError::Invalid {
            key: key.clone(),
            message: e.to_string(),
        })
    }

    /// The platform's part of a service's section.
    pub fn service(&self, name: &ServiceName) -> ServiceSettings {
        self.services
            .get(&name.section())
            .cloned()
            .unwrap_or_default()
    }

    /// Sets where a service listens (the launcher, once it has bound a port 0).
    pub fn set_port(&mut self, name: &ServiceName, port: u16) {
        self.services.entry(name.section()).or_default().port = Some(port);
    }

    /// Every service this configuration names except `me`, with where it is reached: the
    /// peers that `me` delivers events to.
    pub fn peers(&self, me: &ServiceName) -> Vec<(ServiceName, String)> {
        self.services
            .iter()
            .filter(|(section, _)| **section != me.section())
            .filter_map(|(section, s)| {
                let name = ServiceName::parse(&section.replace('_', "-")).ok()?;
                Some((name, s.base_url()?))
            })
            .collect()
    }

    /// The database of one service: its own URL, or a SQLite file in the data directory.
    pub fn database_url(&self, name: &ServiceName) -> Result<DatabaseUrl, SettingsError> {
        match self.service(name).database_url {
            Some(url) => DatabaseUrl::parse(&url).map_err(|message| SettingsError::Invalid {
                key: format!("{}.database_url", name.section()),
                message,
            }),
            None => Ok(DatabaseUrl::Sqlite(
                self.data_dir.join(format!("{name}.db")),
            )),
        }
    }

    /// The key bytes of every HR webhook secret in effect: `hr_webhook_secret` first,
    /// then `hr_webhook_secrets` (all validated at load).
    pub fn hr_webhook_keys(&self) -> Vec<Vec<u8>> {
        self.hr_webhook_secret
            .iter()
            .chain(&self.hr_webhook_secrets)
            .filter_map(|s| secrets::decode_webhook_secret(s).ok())
            .collect()
    }

    /// The company's time zone (validated at load).
    pub fn time_zone(&self) -> chrono_tz::Tz {
        self.time_zone.0
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
        if !(2..=300).contains(&self.events.lease_seconds) {
            return invalid("events.lease_seconds", "must be between 2 and 300");
        }
        if self.events.subscriptions_refresh_seconds == 0 {
            return invalid("events.subscriptions_refresh_seconds", "must be at least 1");
        }
        if self.scheduler.tick_seconds == 0 {
            return invalid("scheduler.tick_seconds", "must be at least 1");
        }
        if self.database.pool_size == 0 {
            return invalid("database.pool_size", "must be greater than zero");
        }
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log.level) {
            return invalid("log.level", &e.to_string());
        }
        for section in self.services.keys() {
            let Ok(name) = ServiceName::parse(&section.replace('_', "-")) else {
                return invalid(section, "is neither a setting nor a service section");
            };
            self.database_url(&name)?;
        }
        if let Some(secret) = &self.hr_webhook_secret
            && let Err(message) = secrets::decode_webhook_secret(secret)
        {
            return invalid("hr_webhook_secret", &message);
        }
        for (i, secret) in self.hr_webhook_secrets.iter().enumerate() {
            if let Err(message) = secrets::decode_webhook_secret(secret) {
                return invalid(&format!("hr_webhook_secrets[{i}]"), &message);
            }
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
            if token.roles.contains(&Role::Member) && token.employee_id.is_none() {
                return invalid(
                    &format!("tokens[{i}].employee_id"),
                    "a member token must name its employee_id",
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the all-in-one launcher adds: the services it knows, on their ports.
    const SUITE: &str = "[alpha]\nport = 8081\n[beta_gamma]\nport = 8082\n";

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn name(s: &str) -> ServiceName {
        ServiceName::parse(s).unwrap()
    }

    #[test]
    fn the_launchers_defaults_give_each_service_its_port_and_make_the_others_peers() {
        let s = Settings::load_from(SUITE, None, env(&[])).unwrap();
        assert_eq!(s.service(&name("alpha")).port, Some(8081));
        assert_eq!(s.service(&name("beta-gamma")).port, Some(8082));
        assert_eq!(
            s.peers(&name("alpha")),
            vec![(name("beta-gamma"), "http://127.0.0.1:8082".to_owned())]
        );
        assert_eq!(s.database.sqlite_synchronous, SqliteSynchronous::Full);
        assert_eq!(s.time_zone(), chrono_tz::Asia::Shanghai);
    }

    #[test]
    fn a_peer_named_only_in_the_environment_is_a_peer() {
        let s = Settings::load_from(
            "[alpha]\nport = 8081\n",
            None,
            env(&[("CONTINUITY_DELTA__BASE_URL", "http://delta:9000/")]),
        )
        .unwrap();
        assert_eq!(
            s.peers(&name("alpha")),
            vec![(name("delta"), "http://delta:9000".to_owned())]
        );
    }

    #[test]
    fn environment_overrides_nested_keys_with_double_underscores() {
        let s = Settings::load_from(
            SUITE,
            None,
            env(&[
                ("CONTINUITY_ALPHA__PORT", "9001"),
                ("CONTINUITY_HTTP__BODY_LIMIT_BYTES", "2048"),
                ("CONTINUITY_DATA_DIR", "/tmp/x"),
            ]),
        )
        .unwrap();
        assert_eq!(s.service(&name("alpha")).port, Some(9001));
        assert_eq!(s.http.body_limit_bytes, 2048);
        assert_eq!(s.data_dir, PathBuf::from("/tmp/x"));
    }

    #[test]
    fn a_service_reads_its_own_typed_section_with_defaults() {
        #[derive(Deserialize)]
        struct Own {
            #[serde(default = "ten")]
            limit: u32,
            port: Option<u16>,
        }
        fn ten() -> u32 {
            10
        }
        let s = Settings::load_from(SUITE, None, env(&[("CONTINUITY_ALPHA__LIMIT", "7")])).unwrap();
        let own: Own = s.section(&name("alpha")).unwrap();
        assert_eq!((own.limit, own.port), (7, Some(8081)));
        let other: Own = s.section(&name("zeta")).unwrap();
        assert_eq!(other.limit, 10);
        let bad = Settings::load_from(SUITE, None, env(&[("CONTINUITY_ALPHA__LIMIT", "many")]))
            .unwrap()
            .section::<Own>(&name("alpha"));
        assert!(bad.is_err());
    }

    #[test]
    fn a_bad_database_url_is_refused_naming_its_key() {
        let err = Settings::load_from(
            SUITE,
            None,
            env(&[("CONTINUITY_BETA_GAMMA__DATABASE_URL", "mysql://x")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("beta_gamma.database_url"), "{err}");
    }

    #[test]
    fn a_plain_value_with_the_prefix_is_no_service_section() {
        let s = Settings::load_from(
            SUITE,
            None,
            env(&[("CONTINUITY_TEST_POSTGRES_URL", "postgres://x@h/db")]),
        )
        .unwrap();
        assert_eq!(s.peers(&name("alpha")).len(), 1);
    }

    #[test]
    fn a_bad_port_is_refused_naming_its_section() {
        let err = Settings::load_from(SUITE, None, env(&[("CONTINUITY_ALPHA__PORT", "many")]))
            .unwrap_err();
        assert!(err.to_string().contains("alpha"), "{err}");
    }

    #[test]
    fn a_bad_time_zone_is_refused_naming_its_key() {
        let err = Settings::load_from(SUITE, None, env(&[("CONTINUITY_TIME_ZONE", "Mars/Base")]))
            .unwrap_err();
        assert!(err.to_string().contains("time_zone"), "{err}");
    }

    #[test]
    fn a_bad_webhook_secret_is_refused_naming_its_key() {
        let err = Settings::load_from(
            SUITE,
            None,
            env(&[("CONTINUITY_HR_WEBHOOK_SECRET", "plain")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("hr_webhook_secret"), "{err}");
    }

    #[test]
    fn several_webhook_secrets_come_from_one_variable_or_a_list() {
        let (a, b) = (
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "whsec_c2Vjb25kIHNlY3JldCBvZiBzaXh0ZWVu",
        );
        let s = Settings::load_from(
            SUITE,
            None,
            env(&[
                ("CONTINUITY_HR_WEBHOOK_SECRET", a),
                ("CONTINUITY_HR_WEBHOOK_SECRETS", &format!("{b}, {a}")),
            ]),
        )
        .unwrap();
        assert_eq!(s.hr_webhook_keys().len(), 3);
        let file = format!("hr_webhook_secrets = [\"{b}\"]\n{SUITE}");
        let s = Settings::load_from(&file, None, env(&[])).unwrap();
        assert_eq!(s.hr_webhook_keys().len(), 1);
        let err = Settings::load_from(
            SUITE,
            None,
            env(&[("CONTINUITY_HR_WEBHOOK_SECRETS", &format!("{a} plain"))]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("hr_webhook_secrets[1]"), "{err}");
    }

    #[test]
    fn a_value_of_the_wrong_type_is_refused_naming_its_key() {
        let err = Settings::load_from(SUITE, None, env(&[("CONTINUITY_HTTP__WORKERS", "many")]))
            .unwrap_err();
        assert!(err.to_string().contains("workers"), "{err}");
    }

    #[test]
    fn a_config_file_sits_between_defaults_and_environment() {
        let dir = std::env::temp_dir().join(format!("continuity-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.toml");
        std::fs::write(&path, "[alpha]\nport = 7001\n[beta_gamma]\nport = 7004\n").unwrap();
        let s = Settings::load_from(
            SUITE,
            Some(path.to_str().unwrap()),
            env(&[("CONTINUITY_BETA_GAMMA__PORT", "7104")]),
        )
        .unwrap();
        assert_eq!(s.service(&name("alpha")).port, Some(7001));
        assert_eq!(s.service(&name("beta-gamma")).port, Some(7104));
    }
}
