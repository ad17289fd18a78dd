//! The connection type and how a URL becomes one.

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::result::Error as DieselError;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, ConnectionError, QueryResult};

use crate::settings::{DatabaseUrl, SqliteSynchronous};

/// How a URL becomes a connection (kept here, beside the connection type, so that the
/// settings need not know diesel).
pub(crate) trait DatabaseUrlExt {
    fn connect(&self, sqlite: &SqliteOptions) -> Result<DbConnection, ConnectionError>;
}

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

impl DatabaseUrlExt for DatabaseUrl {
    fn connect(&self, sqlite: &SqliteOptions) -> Result<DbConnection, ConnectionError> {
        match self {
            DatabaseUrl::Postgres(url) => Ok(DbConnection::Pg(PgConnection::establish(url)?)),
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                sqlite
                    .apply(&mut conn)
                    .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

/// Pragmas set on every new SQLite connection.
#[derive(Debug, Clone)]
pub(crate) struct SqliteOptions {
    pub synchronous: SqliteSynchronous,
    pub busy_timeout_ms: u64,
}

impl SqliteOptions {
    /// Sets the pragmas. Switching a new file to WAL takes a lock that SQLite does not
    /// always wait for, busy timeout or not, when another process opens the same new file
    /// at the same moment (two replicas starting together): retried until that timeout.
    fn apply(&self, conn: &mut SqliteConnection) -> QueryResult<()> {
        let deadline = Instant::now() + Duration::from_millis(self.busy_timeout_ms);
        loop {
            match conn.batch_execute(&self.pragmas()) {
                Err(DieselError::DatabaseError(_, info))
                    if info.message().contains("database is locked")
                        && Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(10));
                }
                done => return done,
            }
        }
    }

    fn pragmas(&self) -> String {
        let sync = match self.synchronous {
            SqliteSynchronous::Full => "FULL",
            SqliteSynchronous::Normal => "NORMAL",
        };
        // The busy timeout first: switching to WAL waits for a lock that another process
        // opening the same file at the same moment may hold.
        format!(
            "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; \
             PRAGMA synchronous = {sync}; PRAGMA foreign_keys = ON;",
            self.busy_timeout_ms
        )
    }
}

#[cfg(test)]
mod tests {
    use diesel::RunQueryDsl;
    use diesel::sql_types::Text;

    use super::*;
    use crate::testing::TestDatabase;

    #[derive(diesel::QueryableByName)]
    struct CompileOption {
        #[diesel(sql_type = Text)]
        compile_options: String,
    }

    #[test]
    fn sqlite_is_built_with_plan_stability_and_without_per_connection_locks() {
        // Set in `.cargo/config.toml`; a build without QPSG re-prepares statements on every
        // use, and the serialized threading mode locks a mutex around every call.
        let tdb = TestDatabase::sqlite();
        let url = DatabaseUrl::parse(&tdb.url).unwrap();
        let options = SqliteOptions {
            synchronous: SqliteSynchronous::Full,
            busy_timeout_ms: 1000,
        };
        let mut conn = url.connect(&options).unwrap();
        let DbConnection::Sqlite(c) = &mut conn else {
            unreachable!("a sqlite:// URL")
        };
        let all: Vec<CompileOption> = diesel::sql_query("PRAGMA compile_options").load(c).unwrap();
        let all: Vec<&str> = all.iter().map(|o| o.compile_options.as_str()).collect();
        for wanted in ["ENABLE_QPSG", "THREADSAFE=2"] {
            assert!(all.contains(&wanted), "{wanted} missing from {all:?}");
        }
    }
}
