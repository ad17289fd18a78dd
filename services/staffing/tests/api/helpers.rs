//! Starting staffing for a test, and the requests tests repeat.

use continuity_shared::auth::Role;
use continuity_shared::testing::TestApp;
use reqwest::{Method, Response};
use serde_json::{Value, json};

/// Peers configured where nothing listens: staffing queues events for them, and
/// deliveries fail fast instead of reaching whatever listens on this machine. And an
/// installation that starts without the seeded key departments, so that each test
/// builds the roster it reads (the seed has its own tests, in `projects`).
pub const PEERS_NOT_THERE: [(&str, &str); 4] = [
    ("CONTINUITY_TRAINING_RECORD__BASE_URL", "http://127.0.0.1:9"),
    ("CONTINUITY_PROCESS_CHANGE__BASE_URL", "http://127.0.0.1:9"),
    ("CONTINUITY_SCHEDULING__BASE_URL", "http://127.0.0.1:9"),
    ("CONTINUITY_STAFFING__SEED_KEY_DEPARTMENTS", "false"),
];

pub async fn spawn() -> TestApp {
    TestApp::spawn_with(&staffing::SERVICE, &PEERS_NOT_THERE).await
}

/// Staffing with its peers not there and further settings.
pub async fn spawn_with(env: &[(&str, &str)]) -> TestApp {
    let mut all = PEERS_NOT_THERE.to_vec();
    all.extend_from_slice(env);
    TestApp::spawn_with(&staffing::SERVICE, &all).await
}

pub async fn put_department(app: &TestApp, code: &str, body: Value) -> Response {
    app.as_role(
        Role::Manager,
        Method::PUT,
        &format!("/v1/departments/{code}"),
    )
    .json(&body)
    .send()
    .await
    .unwrap()
}

pub async fn put_employee(app: &TestApp, id: &str, body: Value) -> Response {
    app.as_role(Role::Manager, Method::PUT, &format!("/v1/employees/{id}"))
        .json(&body)
        .send()
        .await
        // The transport error in full (its source chain says which side closed what).
        .unwrap_or_else(|e| panic!("PUT /v1/employees/{id} got no answer: {e:?}"))
}

/// GET as admin, who may read everything, the admin views included.
pub async fn get_json(app: &TestApp, path: &str) -> (u16, Value) {
    let res = app
        .as_role(Role::Admin, Method::GET, path)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A key sales department and a non-key IT department.
pub async fn seed_departments(app: &TestApp) {
    for (code, body) in [
        ("sales", json!({"name": "Sales", "key": true})),
        ("it", json!({"name": "IT"})),
    ] {
        assert_eq!(put_department(app, code, body).await.status(), 201);
    }
}

pub async fn import_csv(app: &TestApp, csv: &str, key: Option<&str>) -> Response {
    let mut req = app
        .as_role(Role::Manager, Method::POST, "/v1/employees/import")
        .header("content-type", "text/csv")
        .body(csv.to_owned());
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    req.send().await.unwrap()
}

/// A problem+json answer: its status and body, checking the content type.
pub async fn problem(res: Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(ct, "application/problem+json", "status {status}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], status);
    (status, body)
}

/// The service's `/metrics` text.
pub async fn metrics(app: &TestApp) -> String {
    let res = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

/// Asserts each of `lines` is in `/metrics`, showing them all when one is not.
pub async fn assert_metrics(app: &TestApp, lines: &[&str]) {
    let text = metrics(app).await;
    for line in lines {
        assert!(text.contains(line), "{line} missing from\n{text}");
    }
}
