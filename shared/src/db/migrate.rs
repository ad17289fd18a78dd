//! Embedded migrations, one folder per backend with the same names in both.

use diesel::connection::SimpleConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};

use super::DbConnection;

/// A service's migrations for each backend (a function each, as the embedded set is not
/// `Clone`) (`migrations/sqlite`, `migrations/postgres`).
#[derive(Clone, Copy)]
pub struct Migrations {
    pub sqlite: fn() -> EmbeddedMigrations,
    pub postgres: fn() -> EmbeddedMigrations,
}

/// The tables of the common crate itself: idempotency keys, outbox, inbox, webhooks.
pub const COMMON: Migrations = crate::migrations!();

/// The calling crate's `migrations/sqlite` and `migrations/postgres`, embedded.
#[macro_export]
macro_rules! migrations {
    () => {
        $crate::db::Migrations {
            sqlite: || {
                const SET: diesel_migrations::EmbeddedMigrations =
                    diesel_migrations::embed_migrations!("migrations/sqlite");
                SET
            },
            postgres: || {
                const SET: diesel_migrations::EmbeddedMigrations =
                    diesel_migrations::embed_migrations!("migrations/postgres");
                SET
            },
        }
    };
}

/// Applies each set in order. Blocking: call it off the async threads.
///
/// Replicas starting together would each find the same migrations pending and race to
/// apply them (the loser fails on a duplicate). On PostgreSQL a session advisory lock makes
/// them take turns; on SQLite one `BEGIN IMMEDIATE` transaction around them all takes the
/// write lock before the pending list is read (each migration is a savepoint in it). Either
/// way the later replicas find nothing left to do.
pub fn run_migrations(conn: &mut DbConnection, sets: &[Migrations]) -> anyhow::Result<()> {
    let c = match conn {
        DbConnection::Sqlite(c) => {
            return c.immediate_transaction(|c| {
                sets.iter()
                    .try_for_each(|set| applied(c.run_pending_migrations((set.sqlite)())))
            });
        }
        DbConnection::Pg(c) => c,
    };
    c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
    let result = sets
        .iter()
        .try_for_each(|set| applied(c.run_pending_migrations((set.postgres)())));
    // Released on error too; should the unlock itself fail, closing the connection (a
    // failed start-up drops its pool) releases the lock.
    let unlocked = c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"));
    result?;
    Ok(unlocked?)
}

/// The advisory lock key: a fixed hash of a fixed name, the same in every version, so that
/// old and new replicas take the same lock. Advisory locks are per database, so services
/// on different databases do not wait for each other.
const MIGRATION_LOCK: i64 = fnv1a(b"continuity-migrations");

/// 64-bit FNV-1a, usable in a `const` (std's hasher is not, and may change).
const fn fnv1a(bytes: &[u8]) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash as i64
}

/// Logs what a set's run applied.
fn applied<V>(run: Result<Vec<V>, Box<dyn std::error::Error + Send + Sync>>) -> anyhow::Result<()> {
    let n = run
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?
        .len();
    if n > 0 {
        tracing::info!(migrations.applied = n, "database migrated");
    }
    Ok(())
}

/// True when every migration of every set is applied (readiness).
pub fn migrations_complete(conn: &mut DbConnection, sets: &[Migrations]) -> bool {
    sets.iter().all(|set| {
        match conn {
            DbConnection::Pg(c) => c.has_pending_migration((set.postgres)()),
            DbConnection::Sqlite(c) => c.has_pending_migration((set.sqlite)()),
        }
        .is_ok_and(|pending| !pending)
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Barrier;

    use diesel::RunQueryDsl;

    use super::super::connection::{DatabaseUrlExt, SqliteOptions};
    use super::*;
    use crate::db::Db;
    use crate::settings::{DatabaseUrl, Settings};
    use crate::testing::TestDatabase;

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }

    #[test]
    fn two_replicas_starting_together_on_one_database_both_start_and_migrate_it_once() {
        let settings = Settings::load_from("", None, Vec::new()).unwrap().database;
        let sqlite = SqliteOptions {
            synchronous: settings.sqlite_synchronous,
            busy_timeout_ms: settings.busy_timeout_ms,
        };
        // Same names in both folders: either counts.
        let expected =
            diesel::migration::MigrationSource::<diesel::pg::Pg>::migrations(&(COMMON.postgres)())
                .unwrap()
                .len();
        // The race is a matter of timing: try it often enough to meet it.
        for round in 0..10 {
            let tdb = TestDatabase::new();
            let url = DatabaseUrl::parse(&tdb.url).unwrap();
            let start = Barrier::new(2);
            let opened: Vec<anyhow::Result<Db>> = std::thread::scope(|s| {
                let replicas: Vec<_> = (0..2)
                    .map(|_| {
                        s.spawn(|| {
                            start.wait();
                            Db::open(&url, &settings, vec![COMMON])
                        })
                    })
                    .collect();
                replicas.into_iter().map(|r| r.join().unwrap()).collect()
            });
            for result in &opened {
                if let Err(e) = result {
                    panic!("round {round}: a replica failed to start: {e:#}");
                }
            }
            let mut conn = url.connect(&sqlite).unwrap();
            let applied = diesel::sql_query("SELECT COUNT(*) AS n FROM __diesel_schema_migrations")
                .get_result::<Count>(&mut conn)
                .unwrap();
            assert_eq!(applied.n as usize, expected, "round {round}");
        }
    }
}
