use diesel::RunQueryDsl;
use diesel::sql_types::Integer;

use super::*;
use crate::settings::SqliteSynchronous;
use crate::testing::TestDatabase;

fn connector(tdb: &TestDatabase) -> Connector {
    Connector {
        url: DatabaseUrl::parse(&tdb.url).unwrap(),
        sqlite: SqliteOptions {
            synchronous: SqliteSynchronous::Full,
            busy_timeout_ms: 1000,
        },
    }
}

/// Takes the only thread with work that waits for the returned sender, so that what
/// comes next queues behind it.
async fn hold(
    workers: &Workers,
) -> (
    std::sync::mpsc::Sender<()>,
    tokio::task::JoinHandle<Result<Option<()>, DbError>>,
) {
    let (release, held) = std::sync::mpsc::channel::<()>();
    let holder = tokio::spawn({
        let workers = workers.clone();
        async move {
            workers
                .run(move |_| Ok::<_, DbError>(held.recv().ok()))
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(20)).await;
    (release, holder)
}

/// Work that records in `ran` that it ran.
fn marks(ran: &Arc<AtomicU8>) -> impl FnOnce(&mut DbConnection) -> Result<(), DbError> + use<> {
    let ran = ran.clone();
    move |_| {
        ran.store(1, Ordering::SeqCst);
        Ok(())
    }
}

#[derive(diesel::QueryableByName)]
struct Pid {
    #[diesel(sql_type = Integer)]
    pid: i32,
}

fn backend_pid(c: &mut DbConnection) -> Result<i32, DbError> {
    let rows: Vec<Pid> = diesel::sql_query("SELECT pg_backend_pid() AS pid").load(c)?;
    Ok(rows[0].pid)
}

#[tokio::test]
async fn work_that_panics_is_answered_with_an_error_and_the_thread_takes_the_next() {
    let tdb = TestDatabase::new();
    let workers = Workers::start("t", 1, connector(&tdb), Duration::from_secs(5)).unwrap();
    let panicked = workers
        .run(|_| -> Result<(), DbError> { panic!("a bug in a handler") })
        .await;
    assert!(matches!(panicked, Err(DbError::NoAnswer)), "{panicked:?}");
    let answer = workers
        .run(|c| c.batch_execute("SELECT 1").map_err(DbError::from))
        .await;
    assert!(answer.is_ok(), "{answer:?}");
}

#[tokio::test]
async fn work_given_up_while_queued_is_never_run() {
    let tdb = TestDatabase::new();
    let workers = Workers::start("t", 1, connector(&tdb), Duration::from_millis(100)).unwrap();
    let (release, holder) = hold(&workers).await;
    let ran = Arc::new(AtomicU8::new(0));
    let late = workers.run(marks(&ran)).await;
    assert!(matches!(late, Err(DbError::Busy)), "{late:?}");
    release.send(()).unwrap();
    // The holder is answered after its wait ran out: it was already running.
    holder.await.unwrap().unwrap();
    workers.run(|_| Ok::<_, DbError>(())).await.unwrap();
    assert_eq!(
        ran.load(Ordering::SeqCst),
        0,
        "the abandoned work was skipped"
    );
}

#[tokio::test]
async fn a_connection_the_server_closed_is_replaced_after_the_first_failure() {
    let Ok(admin) = std::env::var("CONTINUITY_TEST_POSTGRES_URL") else {
        return; // PostgreSQL only: a SQLite file cannot be closed from outside.
    };
    let tdb = TestDatabase::postgres(&admin);
    let workers = Workers::start("t", 1, connector(&tdb), Duration::from_secs(5)).unwrap();
    let before = workers.run(backend_pid).await.unwrap();
    let mut other = connector(&tdb).connect().unwrap();
    other
        .batch_execute(&format!("SELECT pg_terminate_backend({before})"))
        .unwrap();
    let failed = workers.run(backend_pid).await;
    assert!(
        failed.is_err(),
        "the closed connection fails once: {failed:?}"
    );
    let after = workers.run(backend_pid).await.unwrap();
    assert_ne!(after, before, "then a new connection answers");
}

#[tokio::test]
async fn work_whose_caller_went_away_while_it_was_queued_is_never_run() {
    let tdb = TestDatabase::new();
    let workers = Workers::start("t", 1, connector(&tdb), Duration::from_secs(5)).unwrap();
    let (release, holder) = hold(&workers).await;
    let ran = Arc::new(AtomicU8::new(0));
    // A request dropped while its work waits (its client disconnected).
    let dropped = tokio::time::timeout(Duration::from_millis(20), workers.run(marks(&ran))).await;
    assert!(dropped.is_err(), "still queued behind the holder");
    release.send(()).unwrap();
    holder.await.unwrap().unwrap();
    workers.run(|_| Ok::<_, DbError>(())).await.unwrap();
    assert_eq!(
        ran.load(Ordering::SeqCst),
        0,
        "the dropped caller's work was skipped"
    );
}
