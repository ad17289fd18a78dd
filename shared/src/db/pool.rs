//! Connection pools and the async door to them.
//!
//! SQLite has one writer at a time, so writes get a pool of one connection and reads their
//! own pool; several writers would only queue on the file lock. PostgreSQL uses one pool
//! for both. Every closure runs on the blocking thread pool, never on the async threads.

use std::sync::Arc;
use std::time::Duration;

use prometheus::{Histogram, HistogramOpts};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use diesel::connection::SimpleConnection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};

use super::connection::{DatabaseUrlExt, DbConnection, SqliteOptions};
use super::errors::DbError;
use super::migrate::{Migrations, migrations_complete, run_migrations};
use super::writer::{Done, Job, Writer, commit_failed};
use crate::settings::{DatabaseSettings, DatabaseUrl};

struct Manager {
    url: DatabaseUrl,
    sqlite: SqliteOptions,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        self.url
            .connect(&self.sqlite)
            .map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

type DbPool = Pool<Manager>;

/// Admits as many callers to a pool as it has connections, first come first served, the
/// rest waiting here on the async side instead of each parked on a blocking thread inside
/// r2d2. Measured with `bench-notices` on PostgreSQL (64 connections, a pool of 8, builds
/// running beside it): reads' p99 was 21 and 28 ms with it, 227 and 227 ms right after
/// without it, at about the same throughput.
#[derive(Clone)]
struct Gate {
    permits: Arc<Semaphore>,
    timeout: Duration,
}

impl Gate {
    fn new(connections: u32, timeout: Duration) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(connections as usize)),
            timeout,
        }
    }

    async fn enter(&self) -> Result<OwnedSemaphorePermit, DbError> {
        match tokio::time::timeout(self.timeout, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            // Closed never happens (no one closes it); both read as "no connection in time".
            Ok(Err(_)) | Err(_) => Err(DbError::Busy),
        }
    }
}

/// A service's database: cheap to clone, shared by all workers.
#[derive(Clone)]
pub struct Db {
    read: DbPool,
    write: DbPool,
    /// In front of `read`; on PostgreSQL, where `write` is the same pool, in front of both.
    read_gate: Gate,
    /// SQLite's single writer, a group commit (see `writer`); PostgreSQL has none.
    writer: Option<Writer>,
    url: DatabaseUrl,
    migrations: Vec<Migrations>,
    /// Signalled after every committed write: the outbox dispatcher wakes on it.
    committed: Arc<Notify>,
    /// How long each write transaction held the writer (SQLite) or its connection
    /// (PostgreSQL), from `BEGIN` to the end of its commit.
    held: Histogram,
}

/// The histogram of write-transaction durations, unregistered (each service registers
/// its database's in its own registry).
fn write_histogram() -> prometheus::Result<Histogram> {
    Histogram::with_opts(
        HistogramOpts::new(
            "db_write_transaction_seconds",
            "How long each write transaction held the database's writer (SQLite's single \
             writer, a PostgreSQL connection), BEGIN to commit",
        )
        .buckets(vec![
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ]),
    )
}

impl Db {
    /// Opens the pools and applies pending migrations. Blocking: call from start-up code
    /// through [`tokio::task::spawn_blocking`] or before the runtime serves requests.
    pub fn open(
        url: &DatabaseUrl,
        settings: &DatabaseSettings,
        migrations: Vec<Migrations>,
    ) -> anyhow::Result<Self> {
        super::files::prepare(url)?;
        let manager = || Manager {
            url: url.clone(),
            sqlite: SqliteOptions {
                synchronous: settings.sqlite_synchronous,
                busy_timeout_ms: settings.busy_timeout_ms,
            },
        };
        let build = |size: u32| {
            Pool::builder()
                .max_size(size)
                .min_idle(Some(1))
                // No `SELECT 1` round trip before every checkout: a broken connection
                // shows as an error on first use, which the caller answers as 503.
                .test_on_check_out(false)
                .connection_timeout(Duration::from_millis(settings.acquire_timeout_ms))
                .build(manager())
        };
        let write = build(if url.is_sqlite() {
            1
        } else {
            settings.pool_size
        })?;
        let read = if url.is_sqlite() {
            build(settings.pool_size)?
        } else {
            write.clone()
        };
        let read_gate = Gate::new(
            settings.pool_size,
            Duration::from_millis(settings.acquire_timeout_ms),
        );
        run_migrations(&mut *write.get()?, &migrations)?;
        let committed = Arc::new(Notify::new());
        let held = write_histogram()?;
        let writer = if url.is_sqlite() {
            Some(Writer::start(
                write.get()?,
                committed.clone(),
                held.clone(),
            )?)
        } else {
            None
        };
        Ok(Self {
            read,
            write,
            read_gate,
            writer,
            url: url.clone(),
            migrations,
            committed,
            held,
        })
    }

    /// The write-transaction duration histogram, for the service's metrics registry.
    pub fn write_durations(&self) -> Histogram {
        self.held.clone()
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// Runs `f` with a reading connection on the blocking pool.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let permit = self.read_gate.enter().await?;
        let pool = self.read.clone();
        blocking(move || {
            let _permit = permit;
            f(&mut *pool.get().map_err(DbError::from)?)
        })
        .await
    }

    /// Runs `f` in one transaction on the writing connection, on the blocking pool:
    /// all of it is committed, or none.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        if let Some(writer) = &self.writer {
            return grouped(writer, f).await;
        }
        // PostgreSQL: one pool for reads and writes, so one gate.
        let permit = self.read_gate.enter().await?;
        let pool = self.write.clone();
        let held = self.held.clone();
        let result = blocking(move || {
            let _permit = permit;
            let mut pooled: PooledConnection<Manager> = pool.get().map_err(DbError::from)?;
            let conn: &mut DbConnection = &mut pooled;
            let _timer = held.start_timer();
            // SQLite writes go through its writer (above); this is PostgreSQL's way.
            pg_transaction(conn, f)
        })
        .await;
        if result.is_ok() {
            self.committed.notify_one();
        }
        result
    }

    /// Wakes once after the next committed write (or at once if one happened since the
    /// last wake).
    pub fn commits(&self) -> Arc<Notify> {
        self.committed.clone()
    }

    /// Readiness: the database answers and every migration is applied.
    pub async fn is_ready(&self) -> bool {
        let pool = self.read.clone();
        let migrations = self.migrations.clone();
        blocking(move || {
            let mut conn = pool.get().map_err(DbError::from)?;
            conn.batch_execute("SELECT 1").map_err(DbError::from)?;
            Ok::<_, DbError>(migrations_complete(&mut conn, &migrations))
        })
        .await
        .unwrap_or(false)
    }
}

/// Runs `f` on SQLite's writer, in a savepoint of the next group commit, and answers
/// after that commit (inside the caller's span, like every database call).
async fn grouped<T, E, F>(writer: &Writer, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    let (tx, rx) = tokio::sync::oneshot::channel::<Result<T, E>>();
    let span = tracing::Span::current();
    let job: Job = Box::new(move |conn| {
        let Some(conn) = conn else {
            let begin = DbError::Commit("the write transaction could not begin".into());
            let _ = tx.send(Err(E::from(begin)));
            return None;
        };
        let result = span.in_scope(|| f(conn));
        Some(Done::new(result.is_ok(), move |commit| {
            let answer = match (result, commit) {
                (Ok(value), Ok(())) => Ok(value),
                (Ok(_), Err(reason)) => Err(E::from(commit_failed(reason))),
                (Err(e), _) => Err(e),
            };
            let _ = tx.send(answer);
        }))
    });
    if !writer.submit(job) {
        return Err(E::from(DbError::WriterGone));
    }
    rx.await
        .unwrap_or_else(|_| Err(E::from(DbError::WriterGone)))
}

/// A PostgreSQL transaction whose closure may fail with any error that a database error
/// converts into (diesel's own `transaction` wants `E: From<diesel::Error>`).
fn pg_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<DbError>,
{
    if let DbConnection::Pg(c) = &mut *conn {
        AnsiTransactionManager::begin_transaction(c).map_err(DbError::from)?;
    }
    let result = f(conn);
    if let DbConnection::Pg(c) = conn {
        match &result {
            Ok(_) => {
                if let Err(e) = AnsiTransactionManager::commit_transaction(c) {
                    let _ = AnsiTransactionManager::rollback_transaction(c);
                    return Err(DbError::from(e).into());
                }
            }
            Err(_) => AnsiTransactionManager::rollback_transaction(c).map_err(DbError::from)?,
        }
    }
    result
}

/// Runs `f` on the blocking pool inside the caller's tracing span, so that what it logs
/// carries the request id.
async fn blocking<T, E, F>(f: F) -> Result<T, E>
where
    F: FnOnce() -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f))
        .await
        .map_err(|e| E::from(DbError::Task(e)))?
}

#[cfg(test)]
#[path = "pool/tests.rs"]
mod tests;
