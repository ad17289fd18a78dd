//! The scheduler against a real database (SQLite, or PostgreSQL when
//! CONTINUITY_TEST_POSTGRES_URL is set), with a manual clock moved by the test.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;

use super::schema::scheduled_jobs as j;
use super::{Job, JobRun, Scheduler};
use crate::clock::Clock;
use crate::db::{COMMON, Db};
use crate::settings::DatabaseUrl;
use crate::settings::Settings;
use crate::testing::TestDatabase;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn hours(h: i64) -> chrono::Duration {
    chrono::Duration::hours(h)
}

/// A `Db` of its own on the test database: two of them are two replicas.
async fn open(tdb: &TestDatabase) -> Db {
    let url = DatabaseUrl::parse(&tdb.url).unwrap();
    let settings = Settings::load_from("", None, Vec::new()).unwrap().database;
    tokio::task::spawn_blocking(move || Db::open(&url, &settings, vec![COMMON]))
        .await
        .unwrap()
        .unwrap()
}

/// Every run a job was given.
type Runs = Arc<Mutex<Vec<JobRun>>>;

fn noting(
    runs: &Runs,
) -> impl Fn(JobRun) -> futures_util::future::Ready<anyhow::Result<()>> + use<> {
    let runs = runs.clone();
    move |run| {
        runs.lock().unwrap().push(run);
        futures_util::future::ready(Ok(()))
    }
}

/// (last_due, leased_by, last_error) of a job's row.
type Row = (Option<NaiveDateTime>, Option<String>, Option<String>);

async fn row(db: &Db, name: &'static str) -> Row {
    db.read(move |c| {
        Ok::<_, crate::ApiError>(
            j::table
                .find(name)
                .select((j::last_due, j::leased_by, j::last_error))
                .first(c)?,
        )
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_daily_job_runs_once_a_day_and_not_again_the_same_day() {
    let tdb = TestDatabase::new();
    // 08:30 in Shanghai; the job is due at 02:00 local, 18:00 UTC the day before.
    let clock = Clock::manual(at("2026-11-28T00:30:00Z"), Tz::Asia__Shanghai);
    let runs = Runs::default();
    let job = Job::daily("daily", "02:00:00".parse().unwrap(), noting(&runs));
    let s = Scheduler::new(open(&tdb).await, clock.clone(), "a".into(), vec![job]);

    assert_eq!(s.tick().await.unwrap(), ["daily"]);
    assert_eq!(s.tick().await.unwrap(), Vec::<&str>::new());
    clock.set(at("2026-11-28T17:59:59Z")); // 01:59:59 local on the 29th: not yet
    assert!(s.tick().await.unwrap().is_empty());
    clock.set(at("2026-11-28T18:00:00Z")); // 02:00 local on the 29th
    assert_eq!(s.tick().await.unwrap(), ["daily"]);
    assert!(s.tick().await.unwrap().is_empty());

    let runs = runs.lock().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].due, at("2026-11-27T18:00:00Z"));
    assert_eq!(runs[0].previous, None);
    assert_eq!(runs[1].due, at("2026-11-28T18:00:00Z"));
    assert_eq!(runs[1].previous, Some(at("2026-11-27T18:00:00Z")));
}

#[tokio::test]
async fn after_three_days_down_a_daily_job_runs_once_with_the_span_it_missed() {
    let tdb = TestDatabase::new();
    let clock = Clock::manual(at("2026-11-28T03:00:00Z"), Tz::Asia__Shanghai);
    let runs = Runs::default();
    let job = Job::daily("daily", "02:00:00".parse().unwrap(), noting(&runs));
    let s = Scheduler::new(open(&tdb).await, clock.clone(), "a".into(), vec![job]);
    assert_eq!(s.tick().await.unwrap(), ["daily"]);

    clock.advance(hours(72));
    assert_eq!(s.tick().await.unwrap(), ["daily"]);
    assert!(s.tick().await.unwrap().is_empty());

    let runs = runs.lock().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[1].due, at("2026-11-30T18:00:00Z"));
    assert_eq!(runs[1].previous, Some(at("2026-11-27T18:00:00Z")));
    assert_eq!(runs[1].clock.today().to_string(), "2026-12-01");
}

#[tokio::test]
async fn a_periodic_job_runs_once_per_period() {
    let tdb = TestDatabase::new();
    let clock = Clock::manual(at("2026-11-28T10:20:00Z"), Tz::UTC);
    let runs = Runs::default();
    let job = Job::every("hourly", Duration::from_secs(3600), noting(&runs));
    let s = Scheduler::new(open(&tdb).await, clock.clone(), "a".into(), vec![job]);

    assert_eq!(s.tick().await.unwrap(), ["hourly"]);
    clock.set(at("2026-11-28T10:59:59Z"));
    assert!(s.tick().await.unwrap().is_empty());
    clock.set(at("2026-11-28T11:00:00Z"));
    assert_eq!(s.tick().await.unwrap(), ["hourly"]);
    assert!(s.tick().await.unwrap().is_empty());

    let runs = runs.lock().unwrap();
    let dues: Vec<_> = runs.iter().map(|r| r.due).collect();
    assert_eq!(
        dues,
        [at("2026-11-28T10:00:00Z"), at("2026-11-28T11:00:00Z")]
    );
    assert_eq!(runs[1].previous, Some(at("2026-11-28T10:00:00Z")));
}

#[tokio::test]
async fn a_failing_job_is_retried_at_the_next_tick_and_its_error_recorded() {
    let tdb = TestDatabase::new();
    let clock = Clock::manual(at("2026-11-28T10:00:00Z"), Tz::UTC);
    let attempts = Arc::new(AtomicUsize::new(0));
    let counter = attempts.clone();
    let job = Job::every("flaky", Duration::from_secs(3600), move |_| {
        let attempt = counter.fetch_add(1, Ordering::SeqCst);
        async move {
            match attempt {
                0 => Err(anyhow::anyhow!("disk full").context("writing the report")),
                1 => panic!("the job fell over"),
                _ => Ok(()),
            }
        }
    });
    let db = open(&tdb).await;
    let s = Scheduler::new(db.clone(), clock.clone(), "a".into(), vec![job]);

    assert_eq!(s.tick().await.unwrap(), ["flaky"]);
    let (last_due, leased_by, error) = row(&db, "flaky").await;
    assert_eq!((last_due, leased_by), (None, None));
    assert_eq!(error.as_deref(), Some("writing the report: disk full"));

    assert_eq!(s.tick().await.unwrap(), ["flaky"]);
    let (_, _, error) = row(&db, "flaky").await;
    assert_eq!(
        error.as_deref(),
        Some("the job panicked: the job fell over")
    );

    assert_eq!(s.tick().await.unwrap(), ["flaky"]);
    assert!(s.tick().await.unwrap().is_empty());
    let (last_due, leased_by, error) = row(&db, "flaky").await;
    assert_eq!(last_due, Some(at("2026-11-28T10:00:00Z").naive_utc()));
    assert_eq!((leased_by, error), (None, None));
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_ticking_together_run_each_slot_exactly_once() {
    let tdb = TestDatabase::new();
    let clock = Clock::manual(at("2026-11-28T10:00:00Z"), Tz::UTC);
    let runs = Arc::new(AtomicUsize::new(0));
    let replica = |id: &str, db: Db| {
        let runs = runs.clone();
        let job = Job::every("shared", Duration::from_secs(60), move |_| {
            let runs = runs.clone();
            async move {
                // Long enough for the other replica to try while this one holds the job.
                tokio::time::sleep(Duration::from_millis(5)).await;
                runs.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        });
        Arc::new(Scheduler::new(db, clock.clone(), id.into(), vec![job]))
    };
    let a = replica("a", open(&tdb).await);
    let b = replica("b", open(&tdb).await);

    const SLOTS: usize = 12;
    let mut ran = 0;
    for _ in 0..SLOTS {
        for _ in 0..4 {
            let (a, b) = (a.clone(), b.clone());
            let ta = tokio::spawn(async move { a.tick().await.unwrap().len() });
            let tb = tokio::spawn(async move { b.tick().await.unwrap().len() });
            ran += ta.await.unwrap() + tb.await.unwrap();
        }
        clock.advance(chrono::Duration::seconds(60));
    }
    assert_eq!(runs.load(Ordering::SeqCst), SLOTS);
    assert_eq!(ran, SLOTS);
}

#[tokio::test]
async fn an_expired_lease_of_a_crashed_replica_is_taken_over_and_a_live_one_is_not() {
    let tdb = TestDatabase::new();
    let clock = Clock::manual(at("2026-11-28T10:00:00Z"), Tz::UTC);
    let db = open(&tdb).await;
    let until = (clock.now() + chrono::Duration::seconds(30)).naive_utc();
    db.write(move |c| {
        diesel::insert_into(j::table)
            .values((
                j::name.eq("report"),
                j::leased_by.eq("dead"),
                j::leased_until.eq(until),
                j::updated_at.eq(until),
            ))
            .execute(c)?;
        Ok::<_, crate::ApiError>(())
    })
    .await
    .unwrap();
    let runs = Runs::default();
    let job = Job::every("report", Duration::from_secs(3600), noting(&runs));
    let s = Scheduler::new(db.clone(), clock.clone(), "a".into(), vec![job]);

    assert!(s.tick().await.unwrap().is_empty(), "the lease still holds");
    clock.advance(chrono::Duration::seconds(31));
    assert_eq!(s.tick().await.unwrap(), ["report"]);
    assert_eq!(row(&db, "report").await.1, None);
    assert_eq!(runs.lock().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_job_renews_its_lease_so_no_other_replica_takes_it_over() {
    let tdb = TestDatabase::new();
    let clock = Clock::manual(at("2026-11-28T10:00:00Z"), Tz::UTC);
    let started = Arc::new(tokio::sync::Notify::new());
    let runs = Arc::new(AtomicUsize::new(0));
    let replica = |id: &str, db: Db| {
        let (started, runs) = (started.clone(), runs.clone());
        let job = Job::every("long", Duration::from_secs(3600), move |_| {
            let (started, runs) = (started.clone(), runs.clone());
            async move {
                runs.fetch_add(1, Ordering::SeqCst);
                started.notify_one();
                tokio::time::sleep(Duration::from_millis(2500)).await;
                Ok(())
            }
        });
        Scheduler::new(db, clock.clone(), id.into(), vec![job]).with_lease(Duration::from_secs(1))
    };
    let a = replica("a", open(&tdb).await);
    let b = replica("b", open(&tdb).await);

    let running = tokio::spawn(async move { a.tick().await.unwrap() });
    started.notified().await;
    // Past the first lease: only a renewal (every third of a second) keeps the job.
    clock.advance(chrono::Duration::seconds(5));
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(b.tick().await.unwrap().is_empty());
    assert_eq!(running.await.unwrap(), ["long"]);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}
