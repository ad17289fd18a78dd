//! SQLite's WAL checkpoints, off the writer's thread.
//!
//! By default the connection whose commit fills the WAL past 1,000 pages copies them back
//! into the database file and flushes it, inside that commit: with one writer, every
//! request of that group commit waited for it (p99 at 64 connections went from 14 ms to
//! 150-380 ms). Here the writer never checkpoints; a thread of its own does, on its own
//! connection, a few times a second while there are new commits. A passive checkpoint
//! takes no lock the writer needs, so commits go on meanwhile.
//!
//! Nor is the WAL file ever cut back while the service runs (SQLite's own default): under
//! load its frames are never all copied back at once, so the file grows past any limit,
//! and cutting back tens of MiB on ext4 took the writer 0.4 s, every request waiting with
//! it (progress reports at 64 connections: p99 400 ms, 8 ms without). Once the checkpointer
//! has caught up, the next commit starts again at the file's beginning, so the file stays
//! as large as the largest burst and is reused. Emptying it from this thread instead
//! (`TRUNCATE`) takes the writer's lock and holds it while readers finish: under load in
//! CI, writes waiting behind it failed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use diesel::connection::SimpleConnection;

use super::connection::DbConnection;

/// How often the checkpointer looks for new commits.
const EVERY: Duration = Duration::from_millis(250);

/// The pragmas for the writer's connection: checkpoints are left to the checkpointer, the
/// WAL file is never cut back, and savepoints keep their journals in memory (the group
/// commit makes one per request; on disk, each group's journal was a new temporary file:
/// an `open`, its writes and an `unlink` per transaction).
pub(crate) const WRITER_PRAGMAS: &str = "PRAGMA wal_autocheckpoint = 0; \
    PRAGMA journal_size_limit = -1; PRAGMA temp_store = MEMORY;";

/// Told of every commit; the thread stops once this is dropped.
pub(crate) struct Checkpointer {
    dirty: Arc<AtomicBool>,
}

impl Checkpointer {
    pub fn start(mut conn: DbConnection) -> std::io::Result<Self> {
        let dirty = Arc::new(AtomicBool::new(false));
        let watched: Weak<AtomicBool> = Arc::downgrade(&dirty);
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                while let Some(dirty) = watched.upgrade() {
                    if dirty.swap(false, Ordering::AcqRel)
                        && let Err(e) = conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE)")
                    {
                        tracing::warn!(error = %e, "a WAL checkpoint failed");
                    }
                    drop(dirty);
                    std::thread::sleep(EVERY);
                }
            })?;
        Ok(Self { dirty })
    }

    pub fn committed(&self) {
        self.dirty.store(true, Ordering::Release);
    }
}
