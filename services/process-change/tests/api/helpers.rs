//! Starting process-change for a test, feeding its roster copy, and the requests tests repeat.

use continuity_shared::auth::Role;
use continuity_shared::testing::TestApp;
use reqwest::{Method, Response};
use serde_json::{Value, json};
use uuid::Uuid;

/// Staffing configured where nothing listens: events for it stay queued in the outbox.
pub const PEERS_NOT_THERE: [(&str, &str); 3] = [
    ("CONTINUITY_STAFFING__BASE_URL", "http://127.0.0.1:9"),
    ("CONTINUITY_TRAINING_RECORD__BASE_URL", "http://127.0.0.1:9"),
    ("CONTINUITY_SCHEDULING__BASE_URL", "http://127.0.0.1:9"),
];

pub async fn spawn() -> TestApp {
    TestApp::spawn_with(&process_change::SERVICE, &PEERS_NOT_THERE).await
}

/// A project staffing has published (in the roster copy); its id.
pub async fn project(app: &TestApp) -> String {
    let id = Uuid::now_v7().to_string();
    event(
        app,
        "project.upserted",
        json!({"project_id": id, "name": "CRM roll-out", "status": "in_progress",
        "planned_start": "2026-09-01", "planned_go_live": "2027-06-01", "stabilization_months": 3}),
    )
    .await;
    id
}

/// Delivers one event as staffing would.
pub async fn event(app: &TestApp, event_type: &str, data: Value) {
    let body = json!({"specversion": "1.0", "id": Uuid::now_v7().to_string(),
        "source": "staffing", "type": event_type, "time": "2026-11-28T08:00:00Z", "data": data});
    let res = app
        .as_role(Role::Service, Method::POST, "/v1/events")
        .header("content-type", "application/cloudevents+json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{event_type}: {}", res.status());
}

pub async fn employee(app: &TestApp, id: &str, dept: &str, status: &str) {
    let last = if status == "active" {
        Value::Null
    } else {
        json!("2026-11-20")
    };
    event(
        app,
        "employee.upserted",
        json!({"employee_id": id, "name": format!("Person {id}"),
        "department_code": dept, "hire_date": "2024-01-02", "status": status,
        "last_working_day": last}),
    )
    .await;
}

/// `n` active employees of `dept`, named `{prefix}{i}`.
pub async fn staff(app: &TestApp, dept: &str, prefix: &str, n: usize) {
    event(
        app,
        "department.upserted",
        json!({"code": dept, "name": dept.to_uppercase(),
        "key": false, "min_project_members": 1}),
    )
    .await;
    for i in 0..n {
        employee(app, &format!("{prefix}{i}"), dept, "active").await;
    }
}

pub fn change_body(step: &str, departments: &[&str]) -> Value {
    json!({"process": "Order to cash", "step": step, "before": "Paper form signed by hand",
        "after": "Approval in the CRM", "reason": "One record", "departments": departments,
        "effective_date": "2026-12-01"})
}

pub async fn send(
    app: &TestApp,
    role: Role,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Response {
    let mut req = app.as_role(role, method, path);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap()
}

pub async fn json_of(res: Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A recorded change's id (as documenter).
pub async fn record(app: &TestApp, project: &str, step: &str, departments: &[&str]) -> String {
    let res = send(
        app,
        Role::Documenter,
        Method::POST,
        &format!("/v1/projects/{project}/process-changes"),
        Some(change_body(step, departments)),
    )
    .await;
    let (code, body) = json_of(res).await;
    assert_eq!(code, 201, "{body}");
    body["change_id"].as_str().unwrap().to_owned()
}

pub async fn approve(app: &TestApp, id: &str) {
    let res = send(
        app,
        Role::Manager,
        Method::POST,
        &format!("/v1/process-changes/{id}/approve"),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
}

/// A draft notice of `changes`; its id.
pub async fn notice(app: &TestApp, project: &str, changes: &[&str]) -> String {
    let res = send(
        app,
        Role::Documenter,
        Method::POST,
        &format!("/v1/projects/{project}/notices"),
        Some(json!({"title": "Orders approved in the CRM", "change_ids": changes})),
    )
    .await;
    let (code, body) = json_of(res).await;
    assert_eq!(code, 201, "{body}");
    body["notice_id"].as_str().unwrap().to_owned()
}

pub async fn publish(app: &TestApp, notice: &str) -> Value {
    let res = send(
        app,
        Role::Manager,
        Method::POST,
        &format!("/v1/notices/{notice}/publish"),
        None,
    )
    .await;
    let (code, body) = json_of(res).await;
    assert_eq!(code, 200, "{body}");
    body
}

/// Records, approves and publishes one change of `step` for `departments`: (change, notice).
pub async fn published(
    app: &TestApp,
    project: &str,
    step: &str,
    departments: &[&str],
) -> (String, String) {
    let c = record(app, project, step, departments).await;
    approve(app, &c).await;
    let n = notice(app, project, &[&c]).await;
    publish(app, &n).await;
    (c, n)
}

pub async fn pending_of(app: &TestApp, employee: &str) -> Vec<String> {
    let res = send(
        app,
        Role::Integration,
        Method::GET,
        &format!("/v1/employees/{employee}/pending-acknowledgments"),
        None,
    )
    .await;
    let (code, body) = json_of(res).await;
    assert_eq!(code, 200, "{body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["notice_id"].as_str().unwrap().to_owned())
        .collect()
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
