//! Connection pools and the async door to them.
//!
//! SQLite has one writer at a time, so writes get a pool of one connection and reads their
//! own pool; several writers would only queue on the file lock. PostgreSQL uses one pool
//! for both. Every closure runs on the blocking thread pool, never on the async threads.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use diesel::connection::SimpleConnection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};

use super::connection::{DatabaseUrlExt, DbConnection, SqliteOptions};
use super::errors::DbError;
use super::migrate::{Migrations, migrations_complete, run_migrations};
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

/// A service's database: cheap to clone, shared by all workers.
#[derive(Clone)]
pub struct Db {
    read: DbPool,
    write: DbPool,
    url: DatabaseUrl,
    migrations: Vec<Migrations>,
    /// Signalled after every committed write: the outbox dispatcher wakes on it.
    committed: Arc<Notify>,
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
        run_migrations(&mut *write.get()?, &migrations)?;
        Ok(Self {
            read,
            write,
            url: url.clone(),
            migrations,
            committed: Arc::new(Notify::new()),
        })
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
        let pool = self.read.clone();
        blocking(move || f(&mut *pool.get().map_err(DbError::from)?)).await
    }

    /// Runs `f` in one transaction on the writing connection, on the blocking pool:
    /// all of it is committed, or none.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.write.clone();
        let result = blocking(move || {
            let mut pooled: PooledConnection<Manager> = pool.get().map_err(DbError::from)?;
            let conn: &mut DbConnection = &mut pooled;
            match conn {
                DbConnection::Sqlite(_) => sqlite_immediate(conn, f),
                DbConnection::Pg(_) => pg_transaction(conn, f),
            }
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

/// A SQLite write transaction that takes the write lock at `BEGIN` (waiting up to the busy
/// timeout), so that two processes on one file queue instead of failing when a deferred
/// transaction tries to upgrade its read snapshot.
fn sqlite_immediate<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<DbError>,
{
    if let DbConnection::Sqlite(c) = &mut *conn {
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
            .map_err(DbError::from)?;
    }
    let result = f(conn);
    if let DbConnection::Sqlite(c) = conn {
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
mod tests {
    use tracing::Instrument;

    use super::*;
    use crate::testing::TestDatabase;

    #[tokio::test]
    async fn work_on_the_blocking_pool_runs_inside_the_callers_span() {
        // A subscriber that records spans, so that spans have identities to compare.
        let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry());
        let tdb = TestDatabase::sqlite();
        let url = DatabaseUrl::parse(&tdb.url).unwrap();
        let settings = crate::settings::Settings::load_from("", None, Vec::new())
            .unwrap()
            .database;
        let db = tokio::task::spawn_blocking(move || Db::open(&url, &settings, vec![]))
            .await
            .unwrap()
            .unwrap();
        let span = tracing::info_span!("request", request_id = "r-1");
        let expected = span.id();
        assert!(expected.is_some());
        let seen = db
            .read(|_| Ok::<_, DbError>(tracing::Span::current().id()))
            .instrument(span.clone())
            .await
            .unwrap();
        assert_eq!(seen, expected, "reads carry the request's span");
        let seen = db
            .write(|_| Ok::<_, DbError>(tracing::Span::current().id()))
            .instrument(span)
            .await
            .unwrap();
        assert_eq!(seen, expected, "writes too");
    }
}
