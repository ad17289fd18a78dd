//! A fixed set of database threads, each owning one connection, taking work from one queue
//! in the order it came.
//!
//! This replaces a connection pool behind `spawn_blocking`: there, every query woke an idle
//! blocking thread and the next caller had to be woken on the async side before it could
//! hand its work over, two thread wake-ups per query that cost more CPU than the query.
//! Here a thread that finishes takes the next piece of work at once while there is any,
//! and sleeps only when the queue is empty.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, unbounded};
use diesel::connection::SimpleConnection;

use super::connection::{DatabaseUrlExt, DbConnection, SqliteOptions};
use super::errors::DbError;
use crate::settings::DatabaseUrl;

/// Waiting in the queue; taken by a thread; given up by its caller.
const QUEUED: u8 = 0;
const TAKEN: u8 = 1;
const ABANDONED: u8 = 2;

/// One piece of work: run with the thread's connection (or the reason there is none),
/// answering its caller itself; true when it failed, so that the thread checks its
/// connection before the next.
type Run = Box<dyn FnOnce(Result<&mut DbConnection, DbError>) -> bool + Send>;

struct Task {
    state: Arc<AtomicU8>,
    run: Run,
}

/// How a thread makes its connection.
#[derive(Clone)]
pub(crate) struct Connector {
    pub url: DatabaseUrl,
    pub sqlite: SqliteOptions,
}

impl Connector {
    pub fn connect(&self) -> Result<DbConnection, DbError> {
        self.url.connect(&self.sqlite).map_err(DbError::from)
    }
}

#[derive(Clone)]
pub(crate) struct Workers {
    queue: Sender<Task>,
    /// How long work may wait in the queue before its caller is told to retry (503).
    wait: Duration,
}

impl Workers {
    /// Starts `threads` threads; each connects when its first work arrives, and again
    /// after its connection is found broken.
    pub fn start(
        name: &str,
        threads: u32,
        connector: Connector,
        wait: Duration,
    ) -> std::io::Result<Self> {
        let (queue, tasks) = unbounded::<Task>();
        for i in 0..threads.max(1) {
            let (tasks, connector) = (tasks.clone(), connector.clone());
            std::thread::Builder::new()
                .name(format!("{name}-{i}"))
                .spawn(move || serve(&tasks, &connector))?;
        }
        Ok(Self { queue, wait })
    }

    /// Runs `f` on one of the threads, inside the caller's tracing span.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let (tx, mut rx) = tokio::sync::oneshot::channel::<Result<T, E>>();
        let state = Arc::new(AtomicU8::new(QUEUED));
        let span = tracing::Span::current();
        let run: Run = Box::new(move |conn| {
            let result = span.in_scope(|| match conn {
                Ok(conn) => f(conn),
                Err(e) => Err(E::from(e)),
            });
            let failed = result.is_err();
            let _ = tx.send(result);
            failed
        });
        let give_up = GiveUp(state.clone());
        if self.queue.send(Task { state, run }).is_err() {
            return Err(E::from(DbError::NoAnswer));
        }
        let gone = |_| Err(E::from(DbError::NoAnswer));
        match tokio::time::timeout(self.wait, &mut rx).await {
            Ok(answer) => answer.unwrap_or_else(gone),
            // Still queued: given up, and the thread will skip it. Already taken: it runs
            // to its end, and its answer is the caller's (a write may have committed).
            Err(_) if give_up.now() => Err(E::from(DbError::Busy)),
            Err(_) => rx.await.unwrap_or_else(gone),
        }
    }
}

/// Gives up a caller's work while it is still queued: on its timeout, and when the caller
/// itself goes away (a client that disconnected), so that no thread works for no one.
struct GiveUp(Arc<AtomicU8>);

impl GiveUp {
    /// True when the work was still queued and now never runs.
    fn now(&self) -> bool {
        self.0
            .compare_exchange(QUEUED, ABANDONED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }
}

impl Drop for GiveUp {
    fn drop(&mut self) {
        // Taken or answered already: nothing to give up.
        self.now();
    }
}

fn serve(tasks: &Receiver<Task>, connector: &Connector) {
    let mut conn: Option<DbConnection> = None;
    while let Ok(task) = tasks.recv() {
        if task
            .state
            .compare_exchange(QUEUED, TAKEN, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            continue;
        }
        if conn.is_none() {
            match connector.connect() {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    tracing::warn!(error = %e, "no database connection");
                    (task.run)(Err(e));
                    continue;
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        match catch_unwind(AssertUnwindSafe(|| (task.run)(Ok(&mut *c)))) {
            // After a failure, a connection that no longer answers is replaced.
            Ok(true) if c.batch_execute("SELECT 1").is_err() => conn = None,
            Ok(_) => {}
            // The work may have left a transaction open: start again from a new one.
            Err(_) => {
                tracing::error!("database work panicked; its connection was closed");
                conn = None;
            }
        }
    }
}

#[cfg(test)]
#[path = "workers/tests.rs"]
mod tests;
