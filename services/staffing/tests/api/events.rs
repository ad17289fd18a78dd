//! Staffing's side of events: the outbox it writes, its admin view, replays, webhooks.

use std::time::Duration;

use continuity_shared::auth::Role;
use continuity_shared::testing::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

async fn outbox(app: &TestApp, status: &str) -> Vec<Value> {
    let (code, page) = get_json(app, &format!("/v1/admin/outbox?status={status}&limit=500")).await;
    assert_eq!(code, 200, "{page}");
    page["items"].as_array().unwrap().clone()
}

async fn as_admin(app: &TestApp, method: Method, path: &str) -> reqwest::RequestBuilder {
    app.as_role(Role::Admin, method, path)
}

#[actix_web::test]
async fn a_change_is_queued_for_every_subscribing_service_in_its_own_transaction() {
    let app = spawn().await;
    put_department(&app, "sales", json!({"name": "Sales", "key": true})).await;
    let pending = outbox(&app, "pending").await;
    let mut subscribers: Vec<&str> = pending
        .iter()
        .map(|d| d["subscriber"].as_str().unwrap())
        .collect();
    subscribers.sort();
    assert_eq!(
        subscribers,
        vec!["process-change", "scheduling", "training-record"]
    );
    assert!(pending.iter().all(|d| d["event_type"] == "department.upserted" && d["subject"] == "department/sales"));

    // A refused change queues nothing.
    let res = put_department(&app, "sales", json!({"name": ""})).await;
    assert_eq!(res.status(), 422);
    assert_eq!(outbox(&app, "pending").await.len(), 3);
    // Nor does a change that changes nothing.
    put_department(&app, "sales", json!({"name": "Sales", "key": true})).await;
    assert_eq!(outbox(&app, "pending").await.len(), 3);
}

#[actix_web::test]
async fn deliveries_that_keep_failing_are_parked_dead_and_an_admin_can_requeue_them() {
    let app = spawn_with(&[
        ("CONTINUITY_EVENTS__MAX_ATTEMPTS", "1"),
        ("CONTINUITY_EVENTS__POLL_INTERVAL_MS", "50"),
    ])
    .await;
    put_department(&app, "sales", json!({"name": "Sales"})).await;
    let mut dead = Vec::new();
    for _ in 0..100 {
        dead = outbox(&app, "dead").await;
        if dead.len() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        dead.len(),
        3,
        "every subscriber unreachable: parked after one attempt"
    );
    assert!(!dead[0]["last_error"].as_str().unwrap().is_empty());
    assert_eq!(dead[0]["attempts"], 1);

    let metrics = metrics(&app).await;
    assert!(
        metrics.contains("continuity_outbox_delivery_attempts_total"),
        "{metrics}"
    );

    let id = dead[0]["event_id"].as_str().unwrap();
    let res = as_admin(&app, Method::POST, &format!("/v1/admin/outbox/{id}/retry"))
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    assert_eq!(res.json::<Value>().await.unwrap()["requeued"], 3);

    let res = as_admin(&app, Method::POST, "/v1/admin/outbox/nope/retry")
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 404);
    let res = app
        .as_role(Role::Manager, Method::GET, "/v1/admin/outbox")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 403, "the outbox is for admins");
}

#[actix_web::test]
async fn webhook_urls_on_internal_networks_are_refused() {
    let app = spawn().await;
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.5/hook",
        "http://[::1]/hook",
        "ftp://example.com/x",
        "not a url",
    ] {
        let res = app
            .as_role(Role::Integration, Method::POST, "/v1/webhook-subscriptions")
            .json(&json!({"url": url, "event_types": ["employee.upserted"]}))
            .send()
            .await
            .unwrap();
        let (status, body) = problem(res).await;
        assert_eq!(status, 422, "{url}");
        assert_eq!(body["errors"][0]["field"], "url", "{url}");
    }
}

#[actix_web::test]
async fn a_webhook_subscription_shows_its_secret_once_and_can_be_deleted() {
    let app = TestApp::spawn_with(
        &staffing::SERVICE,
        &[("CONTINUITY_EVENTS__ALLOW_PRIVATE_WEBHOOK_TARGETS", "true")],
    )
    .await;
    let res = app
        .as_role(Role::Integration, Method::POST, "/v1/webhook-subscriptions")
        .json(&json!({"url": "http://127.0.0.1:9/hook", "event_types": ["*"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert!(created["secret"].as_str().unwrap().starts_with("whsec_"));
    let id = created["id"].as_str().unwrap();

    let (_, list) = get_json(&app, "/v1/webhook-subscriptions").await;
    assert_eq!(list["items"][0]["id"], id);
    assert!(list["items"][0].get("secret").is_none());

    // Events of every type now queue for it too.
    put_department(&app, "it", json!({"name": "IT"})).await;
    let pending = outbox(&app, "pending").await;
    assert!(
        pending
            .iter()
            .any(|d| d["subscriber"] == format!("webhook:{id}"))
    );

    let del = app
        .as_role(
            Role::Integration,
            Method::DELETE,
            &format!("/v1/webhook-subscriptions/{id}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), 204);
    let pending = outbox(&app, "pending").await;
    assert!(
        !pending
            .iter()
            .any(|d| d["subscriber"] == format!("webhook:{id}")),
        "its queue is cancelled"
    );
    assert_eq!(
        get_json(&app, &format!("/v1/webhook-subscriptions/{id}"))
            .await
            .0,
        404
    );
    let again = app
        .as_role(
            Role::Integration,
            Method::DELETE,
            &format!("/v1/webhook-subscriptions/{id}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(problem(again).await.0, 404);
}

#[actix_web::test]
async fn only_the_service_role_may_post_events_and_bad_events_are_422() {
    let app = spawn().await;
    let event = json!({"specversion": "1.0", "id": "x1", "source": "training-record", "type": "handover.progressed",
        "time": "2026-11-28T00:00:00Z", "data": {"handover_id": "01939a5c-0000-7000-8000-000000000001",
        "part": "training", "done": 0, "required": 1}});
    let res = app
        .as_role(Role::Manager, Method::POST, "/v1/events")
        .json(&event)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 403);
    let res = app
        .as_role(Role::Admin, Method::POST, "/v1/events")
        .json(&event)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 403, "not even an admin");

    let res = app
        .as_role(Role::Service, Method::POST, "/v1/events")
        .json(&json!({"id": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 422);

    let mut bad = event.clone();
    bad["specversion"] = json!("0.3");
    let res = app
        .as_role(Role::Service, Method::POST, "/v1/events")
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.1["errors"][0]["field"], "specversion");
    // In a batch, each event is answered on its own.
    let res = app
        .as_role(Role::Service, Method::POST, "/v1/events")
        .json(&json!([bad]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["results"][0]["outcome"], "rejected");
    assert_eq!(
        report["results"][0]["problem"]["errors"][0]["field"],
        "specversion"
    );

    let res = app
        .as_role(Role::Service, Method::POST, "/v1/events")
        .json(&event)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let again = app
        .as_role(Role::Service, Method::POST, "/v1/events")
        .json(&event)
        .send()
        .await
        .unwrap();
    assert_eq!(again.json::<Value>().await.unwrap()["duplicates"], 1);
}

#[actix_web::test]
async fn a_snapshot_is_queued_for_one_subscriber_only_when_asked() {
    let app = spawn().await;
    seed_departments(&app).await;
    put_employee(
        &app,
        "E1",
        json!({"name": "Li", "department_code": "sales", "hire_date": "2020-01-01"}),
    )
    .await;
    let before = outbox(&app, "pending").await.len();
    let replay = |body: Value| {
        app.as_role(Role::Service, Method::POST, "/v1/events/replay")
            .json(&body)
            .send()
    };

    let res = replay(json!({"subscriber": "scheduling", "if_needed": true, "incarnation": "db-1"}))
        .await
        .unwrap();
    assert_eq!(
        res.json::<Value>().await.unwrap()["queued"],
        0,
        "never delivered to: everything is still queued"
    );
    let res = replay(json!({"subscriber": "scheduling"})).await.unwrap();
    assert_eq!(res.status(), 202);
    assert_eq!(
        res.json::<Value>().await.unwrap()["queued"],
        3,
        "two departments and one employee"
    );
    let after = outbox(&app, "pending").await;
    assert_eq!(after.len(), before + 3);
    assert!(
        after[before..]
            .iter()
            .all(|d| d["subscriber"] == "scheduling")
    );

    let res = replay(json!({"subscriber": "staffing"})).await.unwrap();
    assert_eq!(problem(res).await.1["errors"][0]["field"], "subscriber");
}

#[actix_web::test]
async fn two_tokens_without_names_never_share_an_idempotency_key() {
    let app = spawn_with(&[("CONTINUITY_EVENTS__ALLOW_PRIVATE_WEBHOOK_TARGETS", "true")]).await;
    let create = |token: &'static str| {
        app.client
            .post(app.url("/v1/webhook-subscriptions"))
            .bearer_auth(token)
            .header("idempotency-key", "hook-1")
            .json(&json!({"url": "http://127.0.0.1:9/hook", "event_types": ["*"]}))
            .send()
    };
    let [a, b] = continuity_shared::testing::UNNAMED_INTEGRATION;
    let first: Value = create(a).await.unwrap().json().await.unwrap();
    let res = create(b).await.unwrap();
    assert_eq!(res.status(), 201);
    assert!(res.headers().get("idempotent-replayed").is_none());
    let second: Value = res.json().await.unwrap();
    assert_ne!(
        first["id"], second["id"],
        "each token made its own subscription"
    );
    assert_ne!(
        first["secret"], second["secret"],
        "and saw only its own secret"
    );
    let again = create(a).await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
}
