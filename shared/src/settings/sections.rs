//! The platform's own sections of the settings: HTTP, database, logging, events.

use serde::Deserialize;

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
    /// How often each peer's declaration of the event types it takes is read again.
    pub subscriptions_refresh_seconds: u64,
}

/// The scheduler of daily and periodic jobs.
#[derive(Debug, Clone, Deserialize)]
pub struct SchedulerSettings {
    /// Whether this process runs scheduled jobs (one replica runs each job, whatever this
    /// says; off keeps a replica out entirely).
    pub enabled: bool,
    /// How often due jobs are looked for.
    pub tick_seconds: u64,
}
