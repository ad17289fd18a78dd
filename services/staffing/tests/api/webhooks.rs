//! Webhook subscriptions at the edge: targets on internal networks in every spelling,
//! event types that do not exist, and delivery that no proxy variable can divert.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use continuity_shared::auth::Role;
use continuity_shared::testing::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

async fn subscribe(app: &TestApp, url: &str, event_types: Value) -> reqwest::Response {
    app.as_role(Role::Integration, Method::POST, "/v1/webhook-subscriptions")
        .json(&json!({"url": url, "event_types": event_types}))
        .send()
        .await
        .unwrap()
}

fn allowing_loopback() -> [(&'static str, &'static str); 2] {
    [
        ("CONTINUITY_EVENTS__ALLOW_PRIVATE_WEBHOOK_TARGETS", "true"),
        ("CONTINUITY_EVENTS__POLL_INTERVAL_MS", "50"),
    ]
}

#[actix_web::test]
async fn internal_addresses_in_ipv6_and_other_spellings_are_refused() {
    let app = spawn().await;
    for url in [
        "http://[::ffff:127.0.0.1]:8081/hook",
        "http://[::ffff:a9fe:a9fe]/latest/meta-data",
        "http://[::ffff:0:a9fe:a9fe]/latest/meta-data",
        "http://[::127.0.0.1]/hook",
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data",
        "http://[64:ff9b:1::808:808]/hook",
        "http://[2002:7f00:1::]/hook",
        "http://[fec0::1]/hook",
        "http://[2001:db8::1]/hook",
        "http://[2001:2::1]/hook",
        "http://[3fff::1]/hook",
        "http://240.0.0.1/hook",
        "http://192.0.0.9/hook",
        "http://192.0.2.1/hook",
        "http://198.18.0.1/hook",
        "http://0x7f.1/hook",
        "http://2130706433/hook",
    ] {
        let res = subscribe(&app, url, json!(["employee.upserted"])).await;
        let (status, body) = problem(res).await;
        assert_eq!(status, 422, "{url}");
        assert_eq!(body["errors"][0]["field"], "url", "{url}");
    }
}

#[actix_web::test]
async fn an_event_type_that_does_not_exist_is_422_naming_it_and_listing_the_valid_ones() {
    let app = TestApp::spawn_with(&staffing::SERVICE, &allowing_loopback()).await;
    let types = json!(["employee.upserted", "employee.upsert", "*", "nope"]);
    let res = subscribe(&app, "http://127.0.0.1:9/hook", types).await;
    let (status, body) = problem(res).await;
    assert_eq!(status, 422);
    let errors = body["errors"].as_array().unwrap();
    let fields: Vec<&str> = errors
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["event_types[1]", "event_types[3]"]);
    let message = errors[0]["message"].as_str().unwrap();
    for valid in ["\"*\"", "employee.upserted", "schedule.risk_changed"] {
        assert!(message.contains(valid), "{message}");
    }
    let many: Vec<String> = (0..1000).map(|i| format!("x{i}")).collect();
    let (status, body) =
        problem(subscribe(&app, "http://127.0.0.1:9/hook", json!(many)).await).await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (422, Some("event_types"))
    );
    assert_eq!(
        body["errors"].as_array().unwrap().len(),
        1,
        "not one error per entry"
    );
    let (_, list) = get_json(&app, "/v1/webhook-subscriptions").await;
    assert_eq!(list["items"], json!([]), "nothing was subscribed");

    let res = subscribe(&app, "http://127.0.0.1:9/hook", json!(["*"])).await;
    assert_eq!(res.status(), 201);
}

/// A receiver on loopback that keeps every body it is sent and answers 204.
fn receiver() -> (u16, Arc<Mutex<Vec<Value>>>) {
    let got: Arc<Mutex<Vec<Value>>> = Arc::default();
    let kept = got.clone();
    let server = HttpServer::new(move || {
        let kept = kept.clone();
        App::new().route(
            "/hook",
            web::post().to(move |body: web::Bytes| {
                let kept = kept.clone();
                async move {
                    kept.lock()
                        .unwrap()
                        .push(serde_json::from_slice(&body).unwrap());
                    HttpResponse::NoContent().finish()
                }
            }),
        )
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let port = server.addrs()[0].port();
    actix_web::rt::spawn(server.run());
    (port, got)
}

/// Where the child process's proxy variables point: nothing listens there, so a delivery
/// that went through the proxy would never arrive.
const DEAD_PROXY: &str = "http://127.0.0.1:9";
const UNDER_A_PROXY: &str = "webhooks::a_delivery_arrives_with_proxy_variables_set";

#[test]
fn webhook_deliveries_ignore_proxy_variables_from_the_environment() {
    let mut child = std::process::Command::new(std::env::current_exe().unwrap());
    child.args(["--exact", UNDER_A_PROXY, "--ignored", "--test-threads=1"]);
    for var in ["http_proxy", "https_proxy", "all_proxy"] {
        child
            .env(var, DEAD_PROXY)
            .env(var.to_uppercase(), DEAD_PROXY);
    }
    let out = child
        .env_remove("no_proxy")
        .env_remove("NO_PROXY")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Run by the test above in a process whose environment names a proxy.
#[actix_web::test]
#[ignore = "run by webhook_deliveries_ignore_proxy_variables_from_the_environment"]
async fn a_delivery_arrives_with_proxy_variables_set() {
    assert_eq!(std::env::var("HTTP_PROXY").as_deref(), Ok(DEAD_PROXY));
    let (port, got) = receiver();
    let app = TestApp::spawn_with(&staffing::SERVICE, &allowing_loopback()).await;
    let url = format!("http://127.0.0.1:{port}/hook");
    let res = subscribe(&app, &url, json!(["department.upserted"])).await;
    assert_eq!(res.status(), 201);
    put_department(&app, "sales", json!({"name": "Sales"})).await;
    for _ in 0..100 {
        if !got.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let got = got.lock().unwrap();
    assert_eq!(got.len(), 1, "delivered straight to the receiver");
    assert_eq!(got[0]["type"], "department.upserted");
}
