//! Starting scheduling for a test, feeding its roster copy, and the requests tests repeat.

use continuity_shared::auth::Role;
use continuity_shared::testing::TestApp;
use reqwest::{Method, Response};
use serde_json::{Value, json};
use uuid::Uuid;

/// Peers configured where nothing listens: events for them stay queued in the outbox.
pub const PEERS_NOT_THERE: [(&str, &str); 3] = [
    ("CONTINUITY_STAFFING__BASE_URL", "http://127.0.0.1:9"),
    ("CONTINUITY_TRAINING_RECORD__BASE_URL", "http://127.0.0.1:9"),
    ("CONTINUITY_PROCESS_CHANGE__BASE_URL", "http://127.0.0.1:9"),
];

pub async fn spawn() -> TestApp {
    TestApp::spawn_with(&scheduling::SERVICE, &PEERS_NOT_THERE).await
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

/// An employee as staffing describes them.
pub async fn employee(
    app: &TestApp,
    id: &str,
    dept: &str,
    hired: &str,
    status: &str,
    last: Option<&str>,
) {
    event(
        app,
        "employee.upserted",
        json!({"employee_id": id, "name": format!("Person {id}"),
        "department_code": dept, "hire_date": hired, "status": status,
        "last_working_day": last}),
    )
    .await;
}

pub async fn import(app: &TestApp, role: Role, csv: &str) -> Response {
    app.as_role(role, Method::POST, "/v1/attrition/import")
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap()
}

pub async fn get(app: &TestApp, path: &str) -> (u16, Value) {
    json_of(
        app.as_role(Role::Manager, Method::GET, path)
            .send()
            .await
            .unwrap(),
    )
    .await
}

pub async fn json_of(res: Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
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

/// The `field`s of a problem's errors.
pub fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// 120 people over 2019-2024; five each year leave in the four weeks after the festival,
/// one in every other month.
pub fn festival_history() -> String {
    let festivals = [
        "2019-02-05",
        "2020-01-25",
        "2021-02-12",
        "2022-02-01",
        "2023-01-22",
        "2024-02-10",
    ];
    let mut csv = String::from("employee_id,department_code,hire_date,leave_date\n");
    let mut n = 0;
    for (y, f) in festivals.iter().enumerate() {
        let f: chrono::NaiveDate = f.parse().unwrap();
        for i in 0..25 {
            n += 1;
            let leave = f + chrono::Days::new(3 + i);
            let dept = if n % 10 == 0 { "quality" } else { "sales" };
            csv.push_str(&format!("P{n},{dept},2018-01-01,{leave}\n"));
        }
        for m in 1..=12u32 {
            n += 1;
            let leave = format!("{}-{m:02}-15", 2019 + y);
            csv.push_str(&format!("P{n},sales,2018-01-01,{leave}\n"));
        }
    }
    for i in 0..120 {
        csv.push_str(&format!("S{i},sales,2018-01-01,\n"));
    }
    csv
}
