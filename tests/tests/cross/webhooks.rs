//! Webhooks out to the CRM: signed per Standard Webhooks, logged per subscription.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use crate::harness::{ADMIN_TOKEN, Suite, eventually, free_port};

type Received = Arc<Mutex<Vec<(bool, serde_json::Value)>>>;

/// A receiver that checks each delivery's signature with the reference implementation.
fn receiver(port: u16, secret: Arc<Mutex<String>>, got: Received) -> actix_web::dev::ServerHandle {
    crate::harness::fake_service(port, "/hook", move || {
        let (secret, got) = (secret.clone(), got.clone());
        actix_web::web::post().to(
            move |req: actix_web::HttpRequest, body: actix_web::web::Bytes| {
                let (secret, got) = (secret.clone(), got.clone());
                async move {
                    let mut headers = http::HeaderMap::new();
                    for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
                        if let Some(v) = req.headers().get(name) {
                            headers
                                .insert(name, http::HeaderValue::from_bytes(v.as_bytes()).unwrap());
                        }
                    }
                    let key = secret.lock().unwrap().clone();
                    let valid = standardwebhooks::Webhook::new(&key)
                        .unwrap()
                        .verify(&body, &headers)
                        .is_ok();
                    got.lock()
                        .unwrap()
                        .push((valid, serde_json::from_slice(&body).unwrap()));
                    actix_web::HttpResponse::NoContent().finish()
                }
            },
        )
    })
}

#[actix_web::test]
async fn subscribed_events_reach_the_crm_signed_and_logged() {
    let suite = Suite::new();
    let _staffing = suite.start("staffing").await;
    let port = free_port();
    let secret = Arc::new(Mutex::new(String::new()));
    let got: Received = Arc::default();
    let handle = receiver(port, secret.clone(), got.clone());

    let res = Suite::client()
        .post(suite.url("staffing", "/v1/webhook-subscriptions"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"url": format!("http://127.0.0.1:{port}/hook"), "event_types": ["employee.upserted"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let sub: serde_json::Value = res.json().await.unwrap();
    *secret.lock().unwrap() = sub["secret"].as_str().unwrap().to_owned();
    let id = sub["id"].as_str().unwrap();
    let shown = suite
        .get("staffing", &format!("/v1/webhook-subscriptions/{id}"))
        .await;
    assert!(
        shown.get("secret").is_none(),
        "the secret is shown once only"
    );

    suite
        .put(
            "staffing",
            "/v1/departments/sales",
            json!({"name": "Sales", "key": true}),
        )
        .await;
    suite
        .put(
            "staffing",
            "/v1/employees/E1",
            json!({"name": "Li Lei", "department_code": "sales", "hire_date": "2020-01-01"}),
        )
        .await;
    assert!(
        eventually(Duration::from_secs(20), || async {
            !got.lock().unwrap().is_empty()
        })
        .await
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "only the subscribed type: {got:?}");
    assert!(
        got[0].0,
        "signature verifies with the reference implementation"
    );
    assert_eq!(got[0].1["type"], "employee.upserted");
    assert_eq!(got[0].1["data"]["employee_id"], "E1");

    let log = suite
        .get(
            "staffing",
            &format!("/v1/webhook-subscriptions/{id}/deliveries"),
        )
        .await;
    assert_eq!(log["items"][0]["status_code"], 204);
    assert_eq!(log["items"][0]["event_type"], "employee.upserted");
    crate::harness::stop_fake(handle).await;
}
