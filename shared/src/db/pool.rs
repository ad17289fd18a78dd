//! The database's threads and the async door to them.
//!
//! SQLite has one writer at a time, so writes go to its single writer thread (a group
//! commit) and reads to threads of their own; several writers would only queue on the
//! file lock. PostgreSQL's threads take both. No diesel call runs on the async threads.

use std::sync::Arc;
use std::time::Duration;

use prometheus::{Histogram, HistogramOpts};
use tokio::sync::Notify;

use diesel::connection::SimpleConnection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};

use super::connection::{DbConnection, SqliteOptions};
use super::errors::DbError;
use super::migrate::{Migrations, migrations_complete, run_migrations};
use super::workers::{Connector, Workers};
use super::writer::{Done, Job, Writer, commit_failed};
use crate::settings::{DatabaseSettings, DatabaseUrl};

/// A service's database: cheap to clone, shared by all workers.
#[derive(Clone)]
pub struct Db {
    /// `pool_size` threads with a connection each, taking work in the order it came; the
    /// rest waits in their queue, at most `acquire_timeout_ms`. On PostgreSQL they write too.
    threads: Workers,
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
    /// Applies pending migrations and starts the database's threads. Blocking: call from
    /// start-up code through [`tokio::task::spawn_blocking`] or before the runtime serves
    /// requests.
    pub fn open(
        url: &DatabaseUrl,
        settings: &DatabaseSettings,
        migrations: Vec<Migrations>,
    ) -> anyhow::Result<Self> {
        super::files::prepare(url)?;
        let connector = Connector {
            url: url.clone(),
            sqlite: SqliteOptions {
                synchronous: settings.sqlite_synchronous,
                busy_timeout_ms: settings.busy_timeout_ms,
            },
        };
        let mut first = connector.connect()?;
        run_migrations(&mut first, &migrations)?;
        let committed = Arc::new(Notify::new());
        let held = write_histogram()?;
        let writer = if url.is_sqlite() {
            let checkpoints = connector.connect()?;
            Some(Writer::start(
                first,
                checkpoints,
                committed.clone(),
                held.clone(),
            )?)
        } else {
            None
        };
        let threads = Workers::start(
            "db",
            settings.pool_size,
            connector,
            Duration::from_millis(settings.acquire_timeout_ms),
        )?;
        Ok(Self {
            threads,
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

    /// Runs `f` with a reading connection on one of the database's threads. On SQLite its
    /// statements share one read transaction: one snapshot for all of them, and the file's
    /// read lock taken once (each statement on its own takes and drops it, three system
    /// calls). PostgreSQL would pay two more round trips for it, so there each statement
    /// stands alone, as before.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        self.threads.run(move |conn| sqlite_read(conn, f)).await
    }

    /// Runs `f` in one transaction on a writing connection, off the async threads: all of
    /// it is committed, or none.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        self.write_on(f, true).await
    }

    /// Runs `f`, a write whose only change is one statement (reads may come before it),
    /// off the async threads. On PostgreSQL no transaction is opened around it: the
    /// statement commits alone, sparing the round trips of `BEGIN` and `COMMIT`. So `f` must
    /// guard its statement against a change made since its reads (a compare-and-set) and
    /// must not publish events (they need a transaction with the change). On SQLite it
    /// joins the group commit like every write.
    pub async fn write_statement<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        self.write_on(f, false).await
    }

    /// On PostgreSQL, `alone`: a write whose only change is one statement that publishes
    /// events with it (one statement is atomic on its own), run without a transaction as
    /// [`Db::write_statement`] runs it. When it answers `None` (it needs a transaction, and
    /// wrote nothing), `f` in a transaction at once, on the same thread: the second try
    /// does not queue again behind every request that came meanwhile. The outbox's
    /// dispatcher is woken after either. On SQLite, `f` in the group commit.
    pub async fn publish_statement_or_write<T, E, A, F>(&self, alone: A, f: F) -> Result<T, E>
    where
        A: FnOnce(&mut DbConnection) -> Result<Option<T>, E> + Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        if let Some(writer) = &self.writer {
            return grouped(writer, f).await;
        }
        let job = move |conn: &mut DbConnection| match alone(conn)? {
            Some(done) => Ok(done),
            None => pg_transaction(conn, f),
        };
        self.on_pg_thread(job, true).await
    }

    /// SQLite's writer, or on PostgreSQL one of the threads (which read and write there),
    /// with `f` in a transaction when `transaction`.
    async fn write_on<T, E, F>(&self, f: F, transaction: bool) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        if let Some(writer) = &self.writer {
            return grouped(writer, f).await;
        }
        let job = move |conn: &mut DbConnection| match transaction {
            true => pg_transaction(conn, f),
            false => f(conn),
        };
        // Only a transaction may have published events for the dispatcher.
        self.on_pg_thread(job, transaction).await
    }

    /// On PostgreSQL, the write `job` on one of the threads, timed as a write transaction;
    /// the outbox's dispatcher is woken after it when it may have published events.
    async fn on_pg_thread<T, E, J>(&self, job: J, publishes: bool) -> Result<T, E>
    where
        J: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let held = self.held.clone();
        let result = self
            .threads
            .run(move |conn| {
                let _timer = held.start_timer();
                job(conn)
            })
            .await;
        if result.is_ok() && publishes {
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
        let migrations = self.migrations.clone();
        self.read(move |conn| {
            conn.batch_execute("SELECT 1").map_err(DbError::from)?;
            Ok::<_, DbError>(migrations_complete(conn, &migrations))
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

/// `f` in one read transaction on SQLite; on PostgreSQL, `f` as it is.
fn sqlite_read<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<DbError>,
{
    let DbConnection::Sqlite(c) = &mut *conn else {
        return f(conn);
    };
    AnsiTransactionManager::begin_transaction(c).map_err(DbError::from)?;
    let result = f(conn);
    if let DbConnection::Sqlite(c) = conn {
        // Nothing was written: either end only releases the snapshot and its lock.
        let ended = match &result {
            Ok(_) => AnsiTransactionManager::commit_transaction(c),
            Err(_) => AnsiTransactionManager::rollback_transaction(c),
        };
        ended.map_err(DbError::from)?;
    }
    result
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

#[cfg(test)]
#[path = "pool/tests.rs"]
mod tests;
