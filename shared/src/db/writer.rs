//! SQLite's single writer as a group commit: one thread owns the writing connection;
//! requests that wait for it are applied together in one transaction, each inside its own
//! savepoint (one request's error rolls back only its own work), and all are answered
//! after the one commit, so a durable write costs a share of one disk flush. Requests
//! that arrive while a long write runs wait in the queue instead of failing.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use prometheus::Histogram;
use tokio::sync::Notify;

use super::checkpoint::{Checkpointer, WRITER_PRAGMAS};
use super::connection::DbConnection;
use super::errors::DbError;

/// The most requests one transaction takes; the rest wait for the next.
const MAX_GROUP: usize = 256;

/// What a request leaves for after the commit: whether its own work succeeded, and how
/// to answer it once the commit's fate is known.
pub(crate) struct Done {
    ok: bool,
    answer: Box<dyn FnOnce(Result<(), Arc<str>>) + Send>,
}

impl Done {
    pub fn new(ok: bool, answer: impl FnOnce(Result<(), Arc<str>>) + Send + 'static) -> Self {
        Self {
            ok,
            answer: Box::new(answer),
        }
    }
}

/// One request: run on the connection inside a savepoint (`Some`), or told that the
/// transaction could not begin (`None`), then answered.
pub(crate) type Job = Box<dyn FnOnce(Option<&mut DbConnection>) -> Option<Done> + Send>;

#[derive(Clone)]
pub(crate) struct Writer {
    jobs: Sender<Job>,
}

impl Writer {
    /// Starts the writer thread on `conn`; `committed` is signalled after each commit
    /// that kept some work; `held` times each transaction, from its `BEGIN` to the end
    /// of its commit or rollback (how long the database's single writer was taken).
    pub fn start(
        mut conn: DbConnection,
        checkpoints: DbConnection,
        committed: Arc<Notify>,
        held: Histogram,
    ) -> anyhow::Result<Self> {
        conn.batch_execute(WRITER_PRAGMAS)?;
        let checkpointer = Checkpointer::start(checkpoints)?;
        let (jobs, queue) = channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || serve(&mut conn, &queue, &committed, &held, &checkpointer))?;
        Ok(Self { jobs })
    }

    /// Queues a job; false when the writer is gone (the process is stopping).
    pub fn submit(&self, job: Job) -> bool {
        self.jobs.send(job).is_ok()
    }
}

fn serve(
    conn: &mut DbConnection,
    queue: &Receiver<Job>,
    committed: &Notify,
    held: &Histogram,
    checkpointer: &Checkpointer,
) {
    while let Ok(first) = queue.recv() {
        // Observed when the transaction has ended, before anyone is answered: a caller
        // that reads the metric after its answer finds its transaction in it.
        let timer = held.start_timer();
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        let DbConnection::Sqlite(sqlite) = &mut *conn else {
            return;
        };
        // Takes the write lock at BEGIN, so another process on the file queues on the
        // busy timeout instead of failing when it upgrades a read.
        if let Err(e) = AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE") {
            tracing::warn!(error = %e, "the write transaction could not begin");
            let reason: Arc<str> = Arc::from(e.to_string());
            timer.observe_duration();
            for job in group {
                if let Some(done) = job(None) {
                    (done.answer)(Err(reason.clone()));
                }
            }
            continue;
        }
        let mut answers = Vec::with_capacity(group.len());
        let mut kept = false;
        if group.len() == 1 {
            // Alone: the transaction itself is the job's, no savepoint needed (a savepoint
            // makes SQLite copy every page it touches to a sub-journal first, which a large
            // import pays for dearly).
            if let Some(job) = group.pop()
                && let Some(done) = run_alone(conn, job)
            {
                kept = done.ok;
                answers.push(done);
            }
        } else {
            for job in group {
                if let Some(done) = run_in_savepoint(conn, job) {
                    kept |= done.ok;
                    answers.push(done);
                }
            }
        }
        let DbConnection::Sqlite(sqlite) = &mut *conn else {
            return;
        };
        if !kept {
            // Nothing to keep: end the transaction without a flush.
            let outcome = AnsiTransactionManager::rollback_transaction(sqlite)
                .map_err(|e| Arc::from(e.to_string()));
            timer.observe_duration();
            for done in answers {
                (done.answer)(outcome.clone());
            }
            continue;
        }
        let outcome = match AnsiTransactionManager::commit_transaction(sqlite) {
            Ok(()) => Ok(()),
            Err(e) => {
                tracing::warn!(error = %e, "the group commit failed");
                let _ = AnsiTransactionManager::rollback_transaction(sqlite);
                Err(Arc::from(e.to_string()))
            }
        };
        timer.observe_duration();
        if outcome.is_ok() && kept {
            checkpointer.committed();
            committed.notify_one();
        }
        for done in answers {
            (done.answer)(outcome.clone());
        }
    }
}

/// Runs the only job of a transaction; a panic counts as a failure.
fn run_alone(conn: &mut DbConnection, job: Job) -> Option<Done> {
    match catch_unwind(AssertUnwindSafe(|| job(Some(&mut *conn)))) {
        Ok(done) => done,
        Err(_) => {
            tracing::error!("a write panicked; its work was rolled back");
            None
        }
    }
}

/// Runs one job inside a savepoint: kept if it succeeded, rolled back alone if it failed
/// or panicked (a panicking job's caller learns it from its dropped answer channel).
fn run_in_savepoint(conn: &mut DbConnection, job: Job) -> Option<Done> {
    let DbConnection::Sqlite(sqlite) = &mut *conn else {
        return None;
    };
    if let Err(e) = AnsiTransactionManager::begin_transaction(sqlite) {
        tracing::warn!(error = %e, "a savepoint could not be made");
        return job(None);
    }
    let done = catch_unwind(AssertUnwindSafe(|| job(Some(&mut *conn))));
    let DbConnection::Sqlite(sqlite) = &mut *conn else {
        return None;
    };
    let keep = matches!(&done, Ok(Some(d)) if d.ok);
    let ended = if keep {
        AnsiTransactionManager::commit_transaction(sqlite)
    } else {
        AnsiTransactionManager::rollback_transaction(sqlite)
    };
    if let Err(e) = ended {
        tracing::warn!(error = %e, "a savepoint could not be ended");
    }
    match done {
        Ok(done) => done,
        Err(_) => {
            tracing::error!("a write panicked; its work was rolled back");
            None
        }
    }
}

/// The error a caller gets when its work was done but the commit failed.
pub(crate) fn commit_failed(reason: Arc<str>) -> DbError {
    DbError::Commit(reason.to_string())
}
