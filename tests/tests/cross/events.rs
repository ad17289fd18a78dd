//! Events between the services as separate processes: nothing acknowledged is lost,
//! nothing is applied twice, and one entity's events arrive in order.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::json;

use crate::harness::{Suite, eventually};

const SUBSCRIBERS: [&str; 3] = ["training-record", "process-change", "scheduling"];

async fn sales(suite: &Suite) {
    let status = suite
        .put(
            "staffing",
            "/v1/departments/sales",
            json!({"name": "Sales", "key": true}),
        )
        .await;
    assert_eq!(status, Some(201));
}

fn employee(name: &str) -> serde_json::Value {
    json!({"name": name, "department_code": "sales", "hire_date": "2020-01-01"})
}

/// PUTs `changes` as (employee id, name) with some concurrency; the ids answered 2xx.
async fn burst(
    suite: &Suite,
    changes: Vec<(String, String)>,
    answered: Arc<AtomicUsize>,
) -> Vec<(String, String)> {
    futures_util::stream::iter(changes)
        .map(|(id, name)| {
            let answered = answered.clone();
            async move {
                let ok = suite
                    .put("staffing", &format!("/v1/employees/{id}"), employee(&name))
                    .await;
                let ok = ok.is_some_and(|s| (200..300).contains(&s));
                if ok {
                    answered.fetch_add(1, Ordering::SeqCst);
                }
                ok.then_some((id, name))
            }
        })
        .buffered(8)
        .filter_map(|x| async move { x })
        .collect()
        .await
}

#[actix_web::test]
async fn a_stopped_subscriber_gets_a_thousand_changes_exactly_once_when_it_returns() {
    let suite = Suite::new();
    let _staffing = suite.start("staffing").await;
    let _tr = suite.start("training-record").await;
    let _sc = suite.start("scheduling").await;
    sales(&suite).await;

    // 1,000 changes while process-change is down: 500 hires, then 500 renames.
    let hires = (0..500)
        .map(|i| (format!("E{i:04}"), format!("Person {i}")))
        .collect();
    let renames = (0..500)
        .map(|i| (format!("E{i:04}"), format!("Person {i} (renamed)")))
        .collect();
    let counter = Arc::new(AtomicUsize::new(0));
    assert_eq!(burst(&suite, hires, counter.clone()).await.len(), 500);
    assert_eq!(burst(&suite, renames, counter.clone()).await.len(), 500);

    let started = Instant::now();
    let _pc = suite.start("process-change").await;
    let expected = suite.staffing_roster().await;
    let caught_up = eventually(Duration::from_secs(60), || async {
        suite.copy_of_roster("process-change").await == expected
            && suite.outbox("staffing", "process-change").await.0 == 0
    })
    .await;
    let elapsed = started.elapsed();
    assert!(caught_up, "process-change did not catch up within 60 s");

    let (pending, delivered, dead) = suite.outbox("staffing", "process-change").await;
    let (received, applied) = suite.inbox("process-change", "staffing").await;
    println!(
        "catch-up after restart: {:.1} s; staffing->process-change delivered {delivered}, pending {pending}, dead {dead}; \
         process-change inbox received {received}, applied {applied}",
        elapsed.as_secs_f64()
    );
    assert_eq!(delivered, 1001, "1 department + 1,000 employee changes");
    assert_eq!((received, applied), (1001, 1001), "each event applied once");
    for s in SUBSCRIBERS {
        let ok = eventually(Duration::from_secs(30), || async {
            suite.outbox("staffing", s).await.0 == 0
        })
        .await;
        assert!(ok, "pending to {s}");
        assert_eq!(suite.outbox("staffing", s).await.2, 0, "dead to {s}");
    }
}

#[actix_web::test]
async fn every_change_staffing_acknowledged_survives_a_sigkill_and_none_is_applied_twice() {
    let suite = Suite::new();
    let staffing = suite.start("staffing").await;
    let _others: Vec<_> = futures_util::future::join_all(SUBSCRIBERS.map(|s| suite.start(s))).await;
    sales(&suite).await;

    let changes: Vec<(String, String)> = (0..1000)
        .map(|i| (format!("K{i:04}"), format!("Hire {i}")))
        .collect();
    let counter = Arc::new(AtomicUsize::new(0));
    let (acknowledged, ()) =
        futures_util::future::join(burst(&suite, changes.clone(), counter.clone()), async {
            while counter.load(Ordering::SeqCst) < 500 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            staffing.kill();
        })
        .await;
    let first_round = acknowledged.len();
    assert!(
        (500..1000).contains(&first_round),
        "killed halfway: {first_round} acknowledged"
    );

    let _staffing = suite.start("staffing").await;
    let rest: Vec<_> = changes
        .into_iter()
        .filter(|c| !acknowledged.contains(c))
        .collect();
    let second_round = burst(&suite, rest, counter.clone()).await;
    let acknowledged: Vec<_> = acknowledged.into_iter().chain(second_round).collect();
    assert_eq!(acknowledged.len(), 1000);

    let roster = suite.staffing_roster().await;
    for (id, name) in &acknowledged {
        assert!(
            roster.iter().any(|e| &e.0 == id && &e.1 == name),
            "staffing lost acknowledged {id}"
        );
    }
    for s in SUBSCRIBERS {
        let same = eventually(Duration::from_secs(90), || async {
            suite.copy_of_roster(s).await == roster && suite.outbox("staffing", s).await.0 == 0
        })
        .await;
        assert!(same, "{s} did not converge on staffing's roster");
        let (pending, delivered, dead) = suite.outbox("staffing", s).await;
        let (received, applied) = suite.inbox(s, "staffing").await;
        println!(
            "after SIGKILL at {first_round} acknowledged: staffing->{s} delivered {delivered}, pending {pending}, dead {dead}; \
             {s} inbox received {received}, applied {applied}"
        );
        assert_eq!(dead, 0);
        assert_eq!(
            received, delivered,
            "{s}: every delivered event received once"
        );
        assert_eq!(applied, received, "{s}: no event applied twice");
        assert_eq!(
            delivered,
            roster.len() as i64 + 1,
            "{s}: one event per change"
        );
    }
}

#[derive(Default)]
struct Flaky {
    failures: AtomicUsize,
    received: std::sync::Mutex<Vec<(String, String)>>,
}

/// A stand-in subscriber that answers 500 (with `Retry-After: 1`) until `healthy_at`,
/// then records each batch it acknowledges.
fn flaky_subscriber(
    port: u16,
    healthy_at: Instant,
    state: Arc<Flaky>,
) -> actix_web::dev::ServerHandle {
    crate::harness::fake_service(port, "/v1/events", move || {
        let state = state.clone();
        actix_web::web::post().to(move |body: actix_web::web::Bytes| {
            let state = state.clone();
            async move {
                if Instant::now() < healthy_at {
                    state.failures.fetch_add(1, Ordering::SeqCst);
                    return actix_web::HttpResponse::InternalServerError()
                        .insert_header(("retry-after", "1"))
                        .finish();
                }
                let events: Vec<serde_json::Value> = serde_json::from_slice(&body).unwrap();
                let mut got = state.received.lock().unwrap();
                for e in events.iter().filter(|e| e["type"] == "employee.upserted") {
                    let field = |k: &str| e["data"][k].as_str().unwrap().to_owned();
                    got.push((field("employee_id"), field("name")));
                }
                actix_web::HttpResponse::Ok().json(json!({}))
            }
        })
    })
}

#[actix_web::test]
async fn a_subscriber_that_fails_for_a_while_then_recovers_gets_every_entity_in_order() {
    let suite = Suite::new();
    let state = Arc::new(Flaky::default());
    let fake = flaky_subscriber(
        suite.ports["scheduling"],
        Instant::now() + Duration::from_secs(4),
        state.clone(),
    );
    let _staffing = suite.start("staffing").await;
    sales(&suite).await;

    // 20 employees, each renamed 5 times, the versions interleaved across employees.
    for version in 1..=5 {
        let changes = (0..20)
            .map(|i| (format!("F{i:02}"), format!("v{version}")))
            .collect();
        assert_eq!(
            burst(&suite, changes, Arc::new(AtomicUsize::new(0)))
                .await
                .len(),
            20
        );
    }
    let done = eventually(Duration::from_secs(60), || async {
        state.received.lock().unwrap().len() >= 100
            && suite.outbox("staffing", "scheduling").await.0 == 0
    })
    .await;
    assert!(done, "not delivered after recovery");
    let failures = state.failures.load(Ordering::SeqCst);
    assert!(
        failures > 0,
        "the subscriber never failed: the test proved nothing"
    );
    let got = state.received.lock().unwrap().clone();
    println!(
        "flaky subscriber: {failures} refused attempts, then {} events acknowledged",
        got.len()
    );
    assert_eq!(got.len(), 100, "each event acknowledged once");
    for i in 0..20 {
        let id = format!("F{i:02}");
        let versions: Vec<&str> = got
            .iter()
            .filter(|(e, _)| *e == id)
            .map(|(_, n)| n.as_str())
            .collect();
        assert_eq!(
            versions,
            vec!["v1", "v2", "v3", "v4", "v5"],
            "order for {id}"
        );
    }
    assert_eq!(
        suite.outbox("staffing", "scheduling").await.2,
        0,
        "nothing dead"
    );
    crate::harness::stop_fake(fake).await;
}

#[actix_web::test]
async fn two_replicas_of_staffing_never_send_one_event_twice() {
    let suite = Suite::new();
    let state = Arc::new(Flaky::default());
    let fake = flaky_subscriber(suite.ports["scheduling"], Instant::now(), state.clone());
    let _first = suite.start("staffing").await;
    let second_port = crate::harness::free_port().to_string();
    let _second = suite
        .start_with("staffing", &[("CONTINUITY_STAFFING__PORT", &second_port)])
        .await;
    sales(&suite).await;

    // Both replicas take writes and both run the dispatcher on the one database.
    let second = format!("http://127.0.0.1:{second_port}");
    let write = |i: usize| {
        let base = if i % 2 == 0 {
            suite.url("staffing", "")
        } else {
            second.clone()
        };
        async move {
            let res = Suite::client()
                .put(format!("{base}/v1/employees/R{:03}", i % 100))
                .bearer_auth(crate::harness::ADMIN_TOKEN)
                .json(&employee(&format!("v{}", i / 100 + 1)))
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success());
        }
    };
    // Each employee's three versions are written in order; different employees in parallel.
    for round in 0..3 {
        futures_util::future::join_all((round * 100..round * 100 + 100).map(write)).await;
    }
    let done = eventually(Duration::from_secs(60), || async {
        suite.outbox("staffing", "scheduling").await.0 == 0
            && state.received.lock().unwrap().len() >= 300
    })
    .await;
    assert!(done, "not all delivered");
    let got = state.received.lock().unwrap().clone();
    println!(
        "two replicas: {} employee events acknowledged by the subscriber",
        got.len()
    );
    assert_eq!(got.len(), 300, "no event sent twice");
    for i in 0..100 {
        let id = format!("R{i:03}");
        let versions: Vec<&str> = got
            .iter()
            .filter(|(e, _)| *e == id)
            .map(|(_, n)| n.as_str())
            .collect();
        assert_eq!(versions, vec!["v1", "v2", "v3"], "order for {id}");
    }
    crate::harness::stop_fake(fake).await;
}

#[actix_web::test]
async fn a_subscriber_that_lost_its_database_catches_up_from_a_snapshot() {
    let mut suite = Suite::new();
    let _staffing = suite.start("staffing").await;
    let pc = suite.start("process-change").await;
    sales(&suite).await;
    let hires = (0..50)
        .map(|i| (format!("S{i:03}"), format!("Person {i}")))
        .collect();
    burst(&suite, hires, Arc::new(AtomicUsize::new(0))).await;
    let roster = suite.staffing_roster().await;
    assert!(
        eventually(Duration::from_secs(30), || async {
            suite.copy_of_roster("process-change").await == roster
        })
        .await
    );

    pc.kill();
    suite.replace_database("process-change");
    let _pc = suite.start("process-change").await;
    let restored = eventually(Duration::from_secs(60), || async {
        suite.copy_of_roster("process-change").await == roster
    })
    .await;
    assert!(
        restored,
        "the new database was not refilled from a snapshot"
    );
    let (received, _) = suite.inbox("process-change", "staffing").await;
    println!("lost database: refilled with {received} snapshot events");
    assert_eq!(received, 51, "one department and 50 employees, once");
}
