use diesel::connection::SimpleConnection;
use tracing::Instrument;

use super::*;
use crate::testing::TestDatabase;

#[tokio::test]
async fn work_on_the_database_threads_runs_inside_the_callers_span() {
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

async fn sqlite_db(tdb: &TestDatabase) -> Db {
    let url = DatabaseUrl::parse(&tdb.url).unwrap();
    let settings = crate::settings::Settings::load_from("", None, Vec::new())
        .unwrap()
        .database;
    let db = tokio::task::spawn_blocking(move || Db::open(&url, &settings, vec![]))
        .await
        .unwrap()
        .unwrap();
    db.write(|c| {
        c.batch_execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
            .map_err(DbError::from)
    })
    .await
    .unwrap();
    db
}

/// A database whose readers are `readers` connections, waiting at most `wait_ms`.
async fn with_readers(tdb: &TestDatabase, readers: u32, wait_ms: u64) -> Db {
    let url = DatabaseUrl::parse(&tdb.url).unwrap();
    let mut settings = crate::settings::Settings::load_from("", None, Vec::new())
        .unwrap()
        .database;
    settings.pool_size = readers;
    settings.acquire_timeout_ms = wait_ms;
    tokio::task::spawn_blocking(move || Db::open(&url, &settings, vec![]))
        .await
        .unwrap()
        .unwrap()
}

// One thread: each reader reaches the gate before the next is spawned (on several
// threads, a loaded machine may poll a later task first, and the order of arrival is
// not the order of spawning).
#[tokio::test(flavor = "current_thread")]
async fn readers_get_a_connection_in_the_order_they_came_even_while_others_keep_arriving() {
    let tdb = TestDatabase::sqlite();
    let db = with_readers(&tdb, 1, 10_000).await;
    let (release, held) = std::sync::mpsc::channel::<()>();
    let holder = tokio::spawn({
        let db = db.clone();
        async move { db.read(move |_| Ok::<_, DbError>(held.recv().ok())).await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    let reader = |i: usize| {
        let (db, order) = (db.clone(), order.clone());
        tokio::spawn(async move {
            db.read(move |_| {
                order.lock().unwrap().push(i);
                // Holds the connection a moment, as a real query does.
                std::thread::sleep(Duration::from_millis(2));
                Ok::<_, DbError>(())
            })
            .await
        })
    };
    let mut readers = Vec::new();
    for i in 0..10 {
        readers.push(reader(i));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    release.send(()).unwrap();
    // Newcomers keep arriving while the queue drains: none may pass those waiting.
    for i in 10..40 {
        readers.push(reader(i));
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    holder.await.unwrap().unwrap();
    for r in readers {
        r.await.unwrap().unwrap();
    }
    assert_eq!(*order.lock().unwrap(), (0..40).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_that_finds_no_free_connection_in_time_is_told_to_retry() {
    let tdb = TestDatabase::sqlite();
    let db = with_readers(&tdb, 1, 100).await;
    let (release, held) = std::sync::mpsc::channel::<()>();
    let holder = tokio::spawn({
        let db = db.clone();
        async move { db.read(move |_| Ok::<_, DbError>(held.recv().ok())).await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let err = db.read(|_| Ok::<_, DbError>(())).await.unwrap_err();
    assert!(matches!(err, DbError::Busy), "{err:?}");
    let api = crate::ApiError::from(err);
    assert_eq!(
        api.kind().status(),
        actix_web::http::StatusCode::SERVICE_UNAVAILABLE
    );
    release.send(()).unwrap();
    holder.await.unwrap().unwrap();
    db.read(|_| Ok::<_, DbError>(())).await.unwrap();
}

fn insert(id: i64) -> impl FnOnce(&mut DbConnection) -> Result<(), DbError> {
    move |c| {
        c.batch_execute(&format!("INSERT INTO t (id, v) VALUES ({id}, 'x')"))
            .map_err(DbError::from)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_that_wait_together_commit_together_and_one_failure_undoes_only_itself() {
    let tdb = TestDatabase::sqlite();
    let db = sqlite_db(&tdb).await;
    // 200 writers at once; every tenth also inserts a duplicate of its own row.
    let writes = (0..200).map(|i| {
        let db = db.clone();
        async move {
            if i % 10 == 0 {
                db.write(move |c| {
                    insert(i)(c)?;
                    insert(i)(c)
                })
                .await
            } else {
                db.write(insert(i)).await
            }
        }
    });
    let results = futures_util::future::join_all(writes).await;
    let failed = results.iter().filter(|r| r.is_err()).count();
    assert_eq!(failed, 20, "each duplicate fails its own write only");
    let rows: i64 = db
        .read(|c| {
            use diesel::prelude::*;
            diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "(SELECT COUNT(*) FROM t)",
            ))
            .get_result(c)
            .map_err(DbError::from)
        })
        .await
        .unwrap();
    assert_eq!(rows, 180, "and takes its first insert with it");
}

#[tokio::test]
async fn a_write_that_panics_is_undone_and_the_writer_carries_on() {
    let tdb = TestDatabase::sqlite();
    let db = sqlite_db(&tdb).await;
    let panicked = db
        .write(|c| -> Result<(), DbError> {
            insert(1)(c)?;
            panic!("a bug in a handler")
        })
        .await;
    assert!(panicked.is_err());
    db.write(insert(2)).await.unwrap();
    let ids: Vec<i64> = db
        .read(|c| {
            use diesel::prelude::*;
            diesel::sql_query("SELECT id FROM t")
                .load::<Id>(c)
                .map(|rows| rows.into_iter().map(|r| r.id).collect())
                .map_err(DbError::from)
        })
        .await
        .unwrap();
    assert_eq!(ids, [2]);
}

#[derive(diesel::QueryableByName)]
struct Id {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

#[tokio::test]
async fn committed_writes_reach_the_database_file_without_the_writer_checkpointing() {
    let tdb = TestDatabase::sqlite();
    let db = sqlite_db(&tdb).await;
    let file = std::path::PathBuf::from(tdb.url.trim_start_matches("sqlite://"));
    let size = || std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    // About 8 MiB in 400 commits: over 1,000 WAL pages, the old autocheckpoint's threshold.
    for i in 0..400 {
        db.write(move |c| {
            c.batch_execute(&format!(
                "INSERT INTO t (id, v) VALUES ({i}, hex(randomblob(10240)))"
            ))
            .map_err(DbError::from)
        })
        .await
        .unwrap();
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while size() < 8 << 20 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        size() >= 8 << 20,
        "the checkpointer copied the WAL back: {} bytes",
        size()
    );
}

// The snapshot is SQLite's: PostgreSQL reads stay one statement each (see `Db::read`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_statements_of_one_read_see_one_snapshot_while_writes_commit() {
    let tdb = TestDatabase::sqlite();
    let db = sqlite_db(&tdb).await;
    db.write(insert(1)).await.unwrap();
    let (to_writer, wrote) = std::sync::mpsc::channel::<()>();
    let (to_reader, read_once) = std::sync::mpsc::channel::<()>();
    let reading = tokio::spawn({
        let db = db.clone();
        async move {
            db.read(move |c| {
                let first = count(c)?;
                to_reader.send(()).unwrap();
                // Another row commits before the second statement runs.
                wrote.recv().unwrap();
                Ok::<_, DbError>((first, count(c)?))
            })
            .await
        }
    });
    tokio::task::spawn_blocking(move || read_once.recv().unwrap())
        .await
        .unwrap();
    db.write(insert(2)).await.unwrap();
    to_writer.send(()).unwrap();
    assert_eq!(reading.await.unwrap().unwrap(), (1, 1));
    // The next read sees the new row: the transaction ended with the read.
    let now = db.read(count).await.unwrap();
    assert_eq!(now, 2);
}

fn count(c: &mut DbConnection) -> Result<i64, DbError> {
    use diesel::RunQueryDsl;
    diesel::dsl::sql::<diesel::sql_types::BigInt>("SELECT COUNT(*) FROM t")
        .get_result::<i64>(c)
        .map_err(DbError::from)
}

#[tokio::test]
async fn the_wal_file_is_reused_never_cut_back_and_every_row_reaches_the_database() {
    let tdb = TestDatabase::sqlite();
    let db = sqlite_db(&tdb).await;
    let wal = tdb.dir().join("test.db-wal");
    let size = || std::fs::metadata(&wal).map_or(0, |m| m.len());
    let write_mib = |db: &Db| {
        let db = db.clone();
        async move {
            db.write(|c| {
                c.batch_execute(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n \
                     WHERE i < 1000) INSERT INTO t (v) SELECT hex(randomblob(500)) FROM n",
                )
                .map_err(DbError::from)
            })
            .await
            .unwrap();
        }
    };
    // Past the 64 MiB the writer used to cut the file back to at its next start.
    for _ in 0..70 {
        write_mib(&db).await;
    }
    let grown = size();
    assert!(
        grown > 64 << 20,
        "70 MB went through the WAL ({grown} bytes)"
    );
    // The checkpointer catches up while nothing commits; the next commit starts the
    // file again from its beginning, and used to cut it back to 64 MiB (0.4 s on ext4).
    tokio::time::sleep(Duration::from_millis(1200)).await;
    write_mib(&db).await;
    assert!(size() >= grown, "the WAL file is reused, not cut back");
    let rows = db
        .read(|c| {
            use diesel::RunQueryDsl;
            diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "(SELECT COUNT(*) FROM t)",
            ))
            .get_result::<i64>(c)
            .map_err(DbError::from)
        })
        .await
        .unwrap();
    assert_eq!(rows, 71_000);
}
