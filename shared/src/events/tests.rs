//! The outbox and inbox against a real database (SQLite, or PostgreSQL when
//! CONTINUITY_TEST_POSTGRES_URL is set), with the clock passed in.

use chrono::{Duration, NaiveDateTime};

use super::envelope::CloudEvent;
use super::inbox::{self, EventSink};
use super::outbox::{self, Claimed};
use super::policy::Decision;
use crate::db::{COMMON, Db, DbConnection};
use crate::roster::RosterCopy;
use crate::service::Subscription;
use crate::settings::{DatabaseUrl, Settings};
use crate::testing::TestDatabase;
use continuity_contract::payloads::EmployeeUpserted;
use continuity_contract::{EmployeeStatus, ServiceName};

const SUBSCRIPTIONS: &[&[Subscription]] = &[&[Subscription::new(
    continuity_contract::EventType::EmployeeUpserted,
    &["staffing"],
)]];

fn roster_sink() -> EventSink {
    EventSink::new(
        Some(RosterCopy::of(ServiceName::parse("staffing").unwrap())),
        None,
        SUBSCRIPTIONS,
    )
}

fn incoming(events: Vec<CloudEvent>) -> Vec<inbox::Incoming> {
    events.into_iter().map(Ok).collect()
}

fn t0() -> NaiveDateTime {
    "2030-01-01T10:00:00".parse().unwrap()
}

fn at(seconds: i64) -> NaiveDateTime {
    t0() + Duration::seconds(seconds)
}

async fn db(tdb: &TestDatabase) -> Db {
    let url = DatabaseUrl::parse(&tdb.url).unwrap();
    let settings = Settings::load_from("", None, Vec::new()).unwrap().database;
    tokio::task::spawn_blocking(move || {
        Db::open(&url, &settings, vec![COMMON, crate::roster::MIGRATIONS])
    })
    .await
    .unwrap()
    .unwrap()
}

fn employee_event(id: &str, name: &str) -> CloudEvent {
    let data = EmployeeUpserted {
        employee_id: id.parse().unwrap(),
        name: name.parse().unwrap(),
        department_code: "sales".parse().unwrap(),
        hire_date: None,
        status: EmployeeStatus::Active,
        last_working_day: None,
    };
    CloudEvent::new("staffing", &data, crate::clock::now()).unwrap()
}

/// Publishes events for subscriber `x`, all due at t0.
async fn publish(db: &Db, events: Vec<CloudEvent>) {
    db.write(move |c| {
        outbox::publish_to(c, &events, "x")?;
        // Make them due at the test's t0 rather than the wall clock's now.
        use super::schema::outbox_deliveries as d;
        use diesel::prelude::*;
        diesel::update(d::table)
            .set(d::next_attempt_at.eq(t0()))
            .execute(c)?;
        Ok::<_, crate::ApiError>(())
    })
    .await
    .unwrap();
}

async fn claim(db: &Db, now: NaiveDateTime, limit: i64) -> Vec<Claimed> {
    db.write(move |c| outbox::claim(c, "x", now, now + Duration::seconds(60), limit))
        .await
        .unwrap()
}

async fn record(db: &Db, claimed: &[Claimed], decision: Decision, now: NaiveDateTime) {
    let seqs: Vec<i64> = claimed.iter().map(|c| c.event_seq).collect();
    db.write(move |c| outbox::record(c, "x", &seqs, decision, Some(500), Some("boom"), now))
        .await
        .unwrap();
}

fn names(claimed: &[Claimed]) -> Vec<String> {
    claimed
        .iter()
        .map(|c| {
            serde_json::from_str::<CloudEvent>(&c.payload).unwrap().data["name"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn events_of_one_entity_wait_behind_an_earlier_one_that_failed() {
    let tdb = TestDatabase::new();
    let db = db(&tdb).await;
    publish(
        &db,
        vec![
            employee_event("E1", "a1"),
            employee_event("E1", "a2"),
            employee_event("E2", "b1"),
        ],
    )
    .await;

    let first = claim(&db, t0(), 1).await;
    assert_eq!(names(&first), vec!["a1"]);
    record(&db, &first, Decision::RetryAt(at(10)), at(0)).await;

    let meanwhile = claim(&db, at(1), 10).await;
    assert_eq!(
        names(&meanwhile),
        vec!["b1"],
        "E1's second event waits for its first"
    );
    record(&db, &meanwhile, Decision::Delivered, at(1)).await;

    assert!(
        claim(&db, at(5), 10).await.is_empty(),
        "nothing due before the retry time"
    );
    let later = claim(&db, at(10), 10).await;
    assert_eq!(names(&later), vec!["a1", "a2"], "then both, in order");
}

#[tokio::test]
async fn a_dead_event_blocks_its_entity_until_an_admin_retries_it() {
    let tdb = TestDatabase::new();
    let db = db(&tdb).await;
    let first = employee_event("E1", "a1");
    let first_id = first.id.clone();
    publish(&db, vec![first, employee_event("E1", "a2")]).await;
    let claimed = claim(&db, t0(), 1).await;
    record(&db, &claimed, Decision::Dead, t0()).await;
    assert!(
        claim(&db, at(1), 10).await.is_empty(),
        "a2 must not overtake the dead a1"
    );

    let dead = db
        .read(|c| outbox::list(c, outbox::DEAD, None, None, 10))
        .await
        .unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].event_id, first_id);
    assert_eq!(dead[0].last_error.as_deref(), Some("boom"));

    let n = db
        .write(move |c| outbox::retry_dead(c, &first_id, at(2)))
        .await
        .unwrap();
    assert_eq!(n, Some(1));
    assert_eq!(names(&claim(&db, at(2), 10).await), vec!["a1", "a2"]);
}

#[tokio::test]
async fn a_claimed_batch_is_leased_to_one_dispatcher_until_its_lease_ends() {
    let tdb = TestDatabase::new();
    let db = db(&tdb).await;
    publish(&db, vec![employee_event("E1", "a1")]).await;
    assert_eq!(claim(&db, t0(), 10).await.len(), 1);
    assert!(
        claim(&db, at(30), 10).await.is_empty(),
        "held by the first dispatcher"
    );
    assert_eq!(
        claim(&db, at(61), 10).await.len(),
        1,
        "taken over after the lease"
    );
}

#[tokio::test]
async fn a_repeated_event_is_applied_once_and_an_unknown_type_is_kept() {
    let tdb = TestDatabase::new();
    let db = db(&tdb).await;
    let sink = roster_sink();
    let event = employee_event("E1", "Li Lei");
    let mut unknown = employee_event("E9", "x");
    unknown.event_type = "something.new".into();
    let batch = incoming(vec![event.clone(), unknown]);
    let first = db
        .write({
            let sink = sink.clone();
            move |c| inbox::receive(c, &batch, &sink, t0())
        })
        .await
        .unwrap();
    assert_eq!((first.applied, first.ignored, first.duplicates), (1, 1, 0));
    let again = incoming(vec![event]);
    let second = db
        .write(move |c| inbox::receive(c, &again, &sink, t0()))
        .await
        .unwrap();
    assert_eq!((second.applied, second.duplicates), (0, 1));
    let stored: i64 = db.read(|c| inbox::count_from(c, "staffing")).await.unwrap();
    assert_eq!(stored, 2);
}

#[tokio::test]
async fn a_refused_event_is_rolled_back_alone_and_holds_back_later_events_of_its_subject() {
    let tdb = TestDatabase::new();
    let db = db(&tdb).await;
    let sink = roster_sink();
    let good = employee_event("E2", "y");
    let mut bad = employee_event("E1", "x");
    bad.data["status"] = serde_json::json!("pwned");
    let later = employee_event("E1", "x again");
    let mut forged = employee_event("E3", "z");
    forged.source = "scheduling".into();
    let batch = incoming(vec![good, bad, later, forged]);
    let report = db
        .write(move |c| inbox::receive(c, &batch, &sink, t0()))
        .await
        .unwrap();
    let outcomes: Vec<inbox::Outcome> = report.results.iter().map(|r| r.outcome).collect();
    assert_eq!(
        outcomes,
        [
            inbox::Outcome::Applied,
            inbox::Outcome::Rejected,
            inbox::Outcome::Held,
            inbox::Outcome::Rejected
        ]
    );
    let problem = report.results[1].problem.clone().unwrap();
    assert_eq!(
        (problem.status, problem.errors[0].field.as_str()),
        (422, "data.status")
    );
    assert_eq!(
        report.results[3].problem.clone().unwrap().errors[0].field,
        "source"
    );
    let stored: i64 = db.read(|c| inbox::count_from(c, "staffing")).await.unwrap();
    assert_eq!(stored, 1, "only the applied event is recorded as received");
    let copied: Vec<String> = db
        .read(|c: &mut DbConnection| {
            use crate::roster::schema::roster_employees as re;
            use diesel::prelude::*;
            Ok::<_, crate::ApiError>(re::table.select(re::employee_id).load(c)?)
        })
        .await
        .unwrap();
    assert_eq!(copied, ["E2"]);
}

#[tokio::test]
async fn pruning_removes_what_is_settled_and_old_but_never_what_is_owed() {
    let tdb = TestDatabase::new();
    let db = db(&tdb).await;
    publish(
        &db,
        vec![employee_event("E1", "done"), employee_event("E2", "owed")],
    )
    .await;
    let claimed = claim(&db, t0(), 1).await;
    record(&db, &claimed, Decision::Delivered, t0()).await;
    let sink = roster_sink();
    let received = incoming(vec![employee_event("E3", "in")]);
    let now = crate::clock::now().naive_utc();
    db.write(move |c| inbox::receive(c, &received, &sink, now))
        .await
        .unwrap();

    let settings = Settings::load_from("", None, Vec::new()).unwrap().events;
    let (s1, s2) = (settings.clone(), settings.clone());
    // The events were written "now" (wall clock); prune as of eight days later.
    let later = crate::clock::now().naive_utc() + Duration::days(8);
    let pruned = db
        .write(move |c| super::retention::prune(c, later, &s1))
        .await
        .unwrap();
    assert_eq!(
        (pruned.deliveries, pruned.events),
        (1, 1),
        "the delivered event goes"
    );
    assert_eq!(pruned.inbox, 0, "received ids are kept longer");
    let pending = db
        .read(|c| outbox::list(c, outbox::PENDING, None, None, 10))
        .await
        .unwrap();
    assert_eq!(pending.len(), 1, "what is still owed stays");

    let much_later = crate::clock::now().naive_utc() + Duration::days(31);
    let pruned = db
        .write(move |c| super::retention::prune(c, much_later, &s2))
        .await
        .unwrap();
    assert_eq!((pruned.inbox, pruned.events), (1, 0));
}

#[tokio::test]
async fn a_subscriber_whose_only_due_deliveries_wait_behind_a_dead_one_is_not_looked_at() {
    let tdb = TestDatabase::new();
    let db = db(&tdb).await;
    publish(
        &db,
        vec![employee_event("E1", "a1"), employee_event("E1", "a2")],
    )
    .await;
    let claimable = |db: Db, now: NaiveDateTime| async move {
        db.read(move |c| outbox::claimable_subscribers(c, now))
            .await
            .unwrap()
    };
    assert_eq!(claimable(db.clone(), t0()).await, ["x"]);
    let first = claim(&db, t0(), 1).await;
    record(&db, &first, Decision::Dead, at(0)).await;
    // Due but held back: the dispatcher must sleep rather than spin on it.
    assert!(claimable(db.clone(), at(1)).await.is_empty());
    let event_id = first[0].event_id.clone();
    db.write(move |c| outbox::retry_dead(c, &event_id, at(2)))
        .await
        .unwrap();
    assert_eq!(claimable(db.clone(), at(2)).await, ["x"]);
}

#[tokio::test]
async fn a_lease_is_renewed_while_in_flight_and_lapses_soon_after_a_crash() {
    let tdb = TestDatabase::new();
    let db = db(&tdb).await;
    publish(&db, vec![employee_event("E1", "a1")]).await;
    // Claimed with a 6 s lease, renewed at 4 s: nobody else may take it at 8 s.
    let claimed = db
        .write(move |c| outbox::claim(c, "x", t0(), at(6), 10))
        .await
        .unwrap();
    let seqs: Vec<i64> = claimed.iter().map(|c| c.event_seq).collect();
    db.write(move |c| outbox::renew(c, "x", &seqs, at(10)))
        .await
        .unwrap();
    assert!(claim(&db, at(8), 10).await.is_empty(), "still in flight");
    // The process dies: no more renewals, and the batch is free once the lease lapses.
    assert_eq!(
        claim(&db, at(11), 10).await.len(),
        1,
        "taken back after the lease"
    );
}

#[tokio::test]
async fn a_subscriber_that_answers_again_gets_what_could_not_reach_it_at_once_but_not_what_it_refused()
 {
    let tdb = TestDatabase::new();
    let db = db(&tdb).await;
    publish(
        &db,
        vec![
            employee_event("E1", "unreachable"),
            employee_event("E2", "refused"),
            employee_event("E3", "later"),
        ],
    )
    .await;
    let attempt = |name: &'static str, status: Option<u16>| {
        let db = db.clone();
        async move {
            let claimed = claim(&db, t0(), 1).await;
            assert_eq!(names(&claimed), vec![name]);
            let seqs: Vec<i64> = claimed.iter().map(|c| c.event_seq).collect();
            db.write(move |c| {
                outbox::record(
                    c,
                    "x",
                    &seqs,
                    Decision::RetryAt(at(600)),
                    status,
                    Some("no"),
                    t0(),
                )
            })
            .await
            .unwrap();
        }
    };
    // No answer at all (the subscriber was down), then a refusal with a status.
    attempt("unreachable", None).await;
    attempt("refused", Some(422)).await;
    let up = claim(&db, at(1), 10).await;
    assert_eq!(names(&up), vec!["later"]);
    record(&db, &up, Decision::Delivered, at(1)).await;
    assert_eq!(
        names(&claim(&db, at(2), 10).await),
        vec!["unreachable"],
        "brought forward; the refused one keeps its backoff"
    );
}
