//! Delivery under hostile or failing receivers, with staffing in-process and stand-in
//! receivers on loopback: a slow webhook, an endless error body, a peer that refuses one
//! event of a batch, a proxy in the environment.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use continuity_shared::auth::Role;
use continuity_shared::testing::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{eventually, fake_service, free_port};

async fn admin_get(app: &TestApp, path: &str) -> Value {
    app.as_role(Role::Admin, Method::GET, path)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn put(app: &TestApp, path: &str, body: Value) {
    let res = app
        .as_role(Role::Manager, Method::PUT, path)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
}

fn employee(name: &str) -> Value {
    json!({"name": name, "department_code": "sales", "hire_date": "2021-03-01"})
}

/// Staffing delivering to `peer` on `port`, quickly retried, webhooks to loopback allowed.
async fn staffing_with_peer(port: u16, extra: &[(&str, &str)]) -> TestApp {
    let url = format!("http://127.0.0.1:{port}");
    let mut env = vec![
        ("CONTINUITY_SCHEDULING__BASE_URL", url.as_str()),
        ("CONTINUITY_EVENTS__POLL_INTERVAL_MS", "50"),
        ("CONTINUITY_EVENTS__BASE_DELAY_MS", "50"),
        ("CONTINUITY_EVENTS__MAX_DELAY_MS", "200"),
        ("CONTINUITY_EVENTS__ALLOW_PRIVATE_WEBHOOK_TARGETS", "true"),
        ("CONTINUITY_STAFFING__SEED_KEY_DEPARTMENTS", "false"),
    ];
    env.extend_from_slice(extra);
    let app = TestApp::spawn_with(&staffing::SERVICE, &env).await;
    put(
        &app,
        "/v1/departments/sales",
        json!({"name": "Sales", "key": true}),
    )
    .await;
    app
}

/// A peer that acknowledges every batch and notes when each employee event arrived.
fn recording_peer(
    port: u16,
    arrivals: Arc<std::sync::Mutex<Vec<(String, Instant)>>>,
) -> actix_web::dev::ServerHandle {
    fake_service(port, "/v1/events", move || {
        let arrivals = arrivals.clone();
        actix_web::web::post().to(move |body: actix_web::web::Bytes| {
            let arrivals = arrivals.clone();
            async move {
                let events: Vec<Value> = serde_json::from_slice(&body).unwrap_or_default();
                let mut got = arrivals.lock().unwrap();
                for e in &events {
                    if let Some(id) = e["data"]["employee_id"].as_str() {
                        got.push((id.to_owned(), Instant::now()));
                    }
                }
                actix_web::HttpResponse::Ok().json(json!({}))
            }
        })
    })
}

#[actix_web::test]
async fn a_slow_webhook_does_not_delay_delivery_to_the_peer_services() {
    let (peer_port, hook_port) = (free_port(), free_port());
    let arrivals = Arc::new(std::sync::Mutex::new(Vec::new()));
    let peer = recording_peer(peer_port, arrivals.clone());
    // A webhook receiver that takes 8 seconds to answer anything.
    let hook = fake_service(hook_port, "/hook", || {
        actix_web::web::post().to(|| async {
            tokio::time::sleep(Duration::from_secs(8)).await;
            actix_web::HttpResponse::NoContent().finish()
        })
    });
    let app = staffing_with_peer(peer_port, &[]).await;
    let res = app
        .as_role(Role::Integration, Method::POST, "/v1/webhook-subscriptions")
        .json(&json!({"url": format!("http://127.0.0.1:{hook_port}/hook"), "event_types": ["*"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    for i in 0..5 {
        let sent = Instant::now();
        put(&app, &format!("/v1/employees/S{i}"), employee("Slow")).await;
        let id = format!("S{i}");
        assert!(
            eventually(Duration::from_secs(3), || async {
                arrivals.lock().unwrap().iter().any(|(e, _)| *e == id)
            })
            .await,
            "S{i} reached the peer"
        );
        let took = arrivals
            .lock()
            .unwrap()
            .iter()
            .find(|(e, _)| *e == id)
            .map(|(_, at)| *at - sent);
        assert!(
            took.unwrap() < Duration::from_secs(2),
            "S{i} waited for the webhook: {took:?}"
        );
    }
    crate::harness::stop_fake(peer).await;
    crate::harness::stop_fake(hook).await;
}

#[actix_web::test]
async fn an_endless_error_body_is_cut_short_and_the_failure_recorded() {
    let port = free_port();
    // Answers 500 with a body that never ends.
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    let endless = fake_service(port, "/v1/events", move || {
        let counter = counter.clone();
        actix_web::web::post().to(move || {
            let counter = counter.clone();
            async move {
                let chunks = futures_util::stream::repeat_with(move || {
                    counter.fetch_add(64 * 1024, Ordering::SeqCst);
                    Ok::<_, std::io::Error>(actix_web::web::Bytes::from(vec![b'x'; 64 * 1024]))
                });
                actix_web::HttpResponse::InternalServerError().streaming(chunks)
            }
        })
    });
    let app = staffing_with_peer(port, &[]).await;
    put(&app, "/v1/employees/B1", employee("Big")).await;
    let recorded = eventually(Duration::from_secs(8), || async {
        let outbox = admin_get(&app, "/v1/admin/outbox?subscriber=scheduling").await;
        outbox["items"]
            .as_array()
            .is_some_and(|items| items.iter().any(|d| d["last_status"] == 500))
    })
    .await;
    let last = admin_get(&app, "/v1/admin/outbox?subscriber=scheduling").await;
    assert!(recorded, "a 500 was recorded, not a timeout: {last}");
    let error = last["items"][0]["last_error"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        error.starts_with("HTTP 500") && error.len() < 400,
        "{error}"
    );
    crate::harness::stop_fake(endless).await;
    // What the receiver managed to push is bounded by socket buffers, not by its body.
    assert!(
        sent.load(Ordering::SeqCst) < 64 << 20,
        "read {} bytes",
        sent.load(Ordering::SeqCst)
    );
}

#[actix_web::test]
async fn a_peer_that_refuses_one_event_of_a_batch_gets_only_that_one_again() {
    let port = free_port();
    let batches = Arc::new(std::sync::Mutex::new(Vec::<Vec<String>>::new()));
    let seen = batches.clone();
    // Refuses the first event of R1 it sees, applies everything else.
    let refused_once = Arc::new(AtomicUsize::new(0));
    let peer = fake_service(port, "/v1/events", move || {
        let (seen, refused_once) = (seen.clone(), refused_once.clone());
        actix_web::web::post().to(move |body: actix_web::web::Bytes| {
            let (seen, refused_once) = (seen.clone(), refused_once.clone());
            async move {
                let events: Vec<Value> = serde_json::from_slice(&body).unwrap_or_default();
                let ids: Vec<String> = events
                    .iter()
                    .map(|e| e["data"]["employee_id"].as_str().unwrap_or("-").to_owned())
                    .collect();
                let results: Vec<Value> = events
                    .iter()
                    .zip(&ids)
                    .map(|(e, id)| {
                        if id == "R1" && refused_once.fetch_add(1, Ordering::SeqCst) == 0 {
                            json!({"id": e["id"], "outcome": "rejected",
                                   "problem": {"status": 422, "code": "validation_failed", "detail": "no"}})
                        } else {
                            json!({"id": e["id"], "outcome": "applied"})
                        }
                    })
                    .collect();
                seen.lock().unwrap().push(ids);
                actix_web::HttpResponse::Ok().json(json!({"results": results, "incarnation": "x"}))
            }
        })
    });
    let app = staffing_with_peer(port, &[]).await;
    for id in ["R1", "R2", "R3"] {
        put(&app, &format!("/v1/employees/{id}"), employee(id)).await;
    }
    let settled =
        eventually(Duration::from_secs(10), || async {
            let stats = admin_get(&app, "/v1/admin/outbox/stats").await;
            stats.as_array().unwrap().iter().any(|s| {
                s["subscriber"] == "scheduling" && s["pending"] == 0 && s["delivered"] == 4
            })
        })
        .await;
    assert!(settled, "the department and three employees delivered");
    let sent: Vec<String> = batches.lock().unwrap().concat();
    let count = |id: &str| sent.iter().filter(|s| *s == id).count();
    assert_eq!(
        (count("R1"), count("R2"), count("R3")),
        (2, 1, 1),
        "{sent:?}"
    );
    crate::harness::stop_fake(peer).await;
}

#[actix_web::test]
async fn a_proxy_in_the_environment_is_not_used_for_deliveries() {
    let suite = crate::harness::Suite::new();
    let arrivals = Arc::new(std::sync::Mutex::new(Vec::new()));
    let peer = recording_peer(suite.ports["scheduling"], arrivals.clone());
    let proxy_port = free_port();
    let proxied = Arc::new(AtomicUsize::new(0));
    let count = proxied.clone();
    let proxy = actix_web::HttpServer::new(move || {
        let count = count.clone();
        actix_web::App::new().default_service(actix_web::web::to(move || {
            count.fetch_add(1, Ordering::SeqCst);
            async { actix_web::HttpResponse::BadGateway().finish() }
        }))
    })
    .workers(1)
    .disable_signals()
    .bind(("127.0.0.1", proxy_port))
    .unwrap()
    .run();
    let proxy_handle = proxy.handle();
    actix_web::rt::spawn(proxy);
    // Staffing runs as its own process, with every proxy variable pointing at a proxy
    // that would answer 502 to anything it is asked to carry.
    let proxy_url = format!("http://127.0.0.1:{proxy_port}");
    let vars: Vec<(&str, &str)> = [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ]
    .into_iter()
    .map(|k| (k, proxy_url.as_str()))
    .collect();
    let _staffing = suite.start_with("staffing", &vars).await;
    let status = suite
        .put(
            "staffing",
            "/v1/departments/sales",
            json!({"name": "Sales"}),
        )
        .await;
    assert_eq!(status, Some(201));
    let status = suite
        .put("staffing", "/v1/employees/P1", employee("Direct"))
        .await;
    assert_eq!(status, Some(201));
    assert!(
        eventually(Duration::from_secs(10), || async {
            arrivals.lock().unwrap().iter().any(|(e, _)| e == "P1")
        })
        .await,
        "delivered straight to the peer"
    );
    assert_eq!(
        proxied.load(Ordering::SeqCst),
        0,
        "nothing went through the proxy"
    );
    crate::harness::stop_fake(peer).await;
    crate::harness::stop_fake(proxy_handle).await;
}

#[actix_web::test]
async fn a_batch_leased_by_a_process_killed_mid_delivery_is_delivered_within_ten_seconds_of_the_restart()
 {
    let suite = crate::harness::Suite::new();
    let hang = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let arrivals = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let (flag, got) = (hang.clone(), arrivals.clone());
    // Holds every batch unanswered while `hang` is set, so staffing's batch stays leased.
    let peer = fake_service(suite.ports["scheduling"], "/v1/events", move || {
        let (flag, got) = (flag.clone(), got.clone());
        actix_web::web::post().to(move |body: actix_web::web::Bytes| {
            let (flag, got) = (flag.clone(), got.clone());
            async move {
                if flag.load(Ordering::SeqCst) {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                }
                let events: Vec<Value> = serde_json::from_slice(&body).unwrap_or_default();
                got.lock().unwrap().extend(
                    events
                        .iter()
                        .filter_map(|e| e["data"]["employee_id"].as_str().map(str::to_owned)),
                );
                actix_web::HttpResponse::Ok().json(json!({}))
            }
        })
    });
    let staffing = suite.start("staffing").await;
    assert_eq!(
        suite
            .put(
                "staffing",
                "/v1/departments/sales",
                json!({"name": "Sales"})
            )
            .await,
        Some(201)
    );
    for i in 0..20 {
        let status = suite
            .put(
                "staffing",
                &format!("/v1/employees/K{i:02}"),
                employee("Kept"),
            )
            .await;
        assert_eq!(status, Some(201));
    }
    // Wait until a batch is in flight (leased), then kill the process holding it.
    assert!(
        eventually(Duration::from_secs(10), || async {
            let outbox = suite
                .get(
                    "staffing",
                    "/v1/admin/outbox?subscriber=scheduling&limit=500",
                )
                .await;
            outbox["items"]
                .as_array()
                .is_some_and(|items| !items.is_empty())
        })
        .await
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    staffing.kill();
    hang.store(false, Ordering::SeqCst);
    let restarted = Instant::now();
    let _staffing = suite.start("staffing").await;
    let all = eventually(Duration::from_secs(10), || async {
        let got = arrivals.lock().unwrap();
        (0..20).all(|i| got.contains(&format!("K{i:02}")))
    })
    .await;
    println!(
        "after the kill: every event delivered {:?} after the restart",
        restarted.elapsed()
    );
    assert!(all, "not all delivered within 10 s of the restart");
    crate::harness::stop_fake(peer).await;
}
