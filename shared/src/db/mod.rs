//! Persistence: one diesel `MultiConnection` over SQLite and PostgreSQL, the backend
//! picked from the URL's scheme; the database's threads, the only door to the database
//! from async code (no diesel call runs on the async threads); migrations; and values a
//! replica keeps while a generation counter in the database says they hold.

mod checkpoint;
mod connection;
mod errors;
pub(crate) mod files;
mod generation_cache;
mod migrate;
mod pool;
mod statement;
mod workers;
mod writer;

pub use connection::DbConnection;
pub use errors::{CorruptRow, DbError, DbResult};
pub use generation_cache::{DEFAULT_CAPACITY, GenerationCache};
pub use migrate::{COMMON, Migrations, run_migrations};
pub use pool::Db;
pub use statement::{PgStatement, Statement, Typed};

/// Runs the same diesel code on whichever backend `conn` is, for statements the
/// `MultiConnection` cannot express (upserts, `RETURNING`, row locks). Backend-specific
/// SQL stays in `db/` modules, behind this explicit match.
#[macro_export]
macro_rules! with_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Pg($c) => $body,
            $crate::db::DbConnection::Sqlite($c) => $body,
        }
    };
}
