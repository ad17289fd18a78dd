//! Embedded migrations, one folder per backend with the same names in both.

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
pub fn run_migrations(conn: &mut DbConnection, sets: &[Migrations]) -> anyhow::Result<()> {
    for set in sets {
        let applied = match conn {
            DbConnection::Pg(c) => c.run_pending_migrations((set.postgres)()).map(|v| v.len()),
            DbConnection::Sqlite(c) => c.run_pending_migrations((set.sqlite)()).map(|v| v.len()),
        }
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
        if applied > 0 {
            tracing::info!(migrations.applied = applied, "database migrated");
        }
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
