//! Starting training-record for a test, feeding its roster copy, and the requests tests
//! repeat.

use continuity_shared::auth::Role;
use continuity_shared::clock::{Clock, DEFAULT_TIME_ZONE};
use continuity_shared::testing::TestApp;
use reqwest::{Method, Response};
use serde_json::{Value, json};

/// A project id as staffing makes them (UUID v7).
pub const P1: &str = "01938a7e-4c1b-7d2e-9f00-000000000001";
/// A project nobody published.
pub const P_UNKNOWN: &str = "01938a7e-4c1b-7d2e-9f00-0000000000ff";

/// 10:00 in Shanghai on 2026-11-28.
pub fn start() -> chrono::DateTime<chrono::Utc> {
    "2026-11-28T02:00:00Z".parse().unwrap()
}

/// Training-record on a manual clock, with project P1 and the people E1, E2 (sales) and
/// E3 (it) in its roster copy.
pub async fn spawn() -> TestApp {
    spawn_with(&[]).await
}

pub async fn spawn_with(env: &[(&str, &str)]) -> TestApp {
    let clock = Clock::manual(start(), DEFAULT_TIME_ZONE);
    let app = TestApp::spawn_with_clock(&training_record::SERVICE, env, clock).await;
    let mut n = 0;
    let mut ev = |kind: &str, data: Value| {
        n += 1;
        json!({"specversion": "1.0", "id": format!("seed-{n}"), "source": "staffing",
               "type": kind, "time": "2026-11-28T01:00:00Z", "data": data})
    };
    let mut batch = vec![ev(
        "project.upserted",
        json!({"project_id": P1, "name": "CRM", "status": "in_progress",
            "planned_start": null, "planned_go_live": "2027-06-01", "stabilization_months": 3}),
    )];
    for (id, dept) in [("E1", "sales"), ("E2", "sales"), ("E3", "it")] {
        batch.push(ev(
            "employee.upserted",
            json!({"employee_id": id, "name": id, "department_code": dept,
                "hire_date": "2020-01-01", "status": "active", "last_working_day": null}),
        ));
    }
    assert_eq!(deliver(&app, &Value::Array(batch)).await["applied"], 4);
    app
}

/// A second replica of `app`: another training-record on the same database (and so the
/// same roster copy), with its own memory.
pub async fn spawn_replica(app: &TestApp) -> TestApp {
    use continuity_shared::settings::DatabaseUrl;
    let url = match app.db.url() {
        DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        DatabaseUrl::Postgres(url) => url.clone(),
    };
    let env = [("CONTINUITY_TRAINING_RECORD__DATABASE_URL", url.as_str())];
    let clock = Clock::manual(start(), DEFAULT_TIME_ZONE);
    TestApp::spawn_with_clock(&training_record::SERVICE, &env, clock).await
}

/// Delivers a batch of CloudEvents as staffing does.
pub async fn deliver(app: &TestApp, batch: &Value) -> Value {
    let res = app
        .as_role(Role::Service, Method::POST, "/v1/events")
        .header("content-type", "application/cloudevents-batch+json")
        .body(batch.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// One event from staffing.
pub fn staffing_event(id: &str, kind: &str, data: Value) -> Value {
    json!([{"specversion": "1.0", "id": id, "source": "staffing", "type": kind,
            "time": "2026-11-28T01:00:00Z", "data": data}])
}

pub fn session_body(title: &str, held_on: &str, departments: &[&str]) -> Value {
    json!({"title": title, "module": "leads", "held_on": held_on, "trainer": "Wang",
           "duration_minutes": 60, "departments": departments, "description": ""})
}

pub async fn create_session(app: &TestApp, body: &Value) -> Value {
    let res = app
        .as_role(
            Role::Trainer,
            Method::POST,
            &format!("/v1/projects/{P1}/training-sessions"),
        )
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

pub async fn get_json(app: &TestApp, path: &str) -> (u16, Value) {
    let res = app
        .as_role(Role::Admin, Method::GET, path)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A problem+json answer: its status and body, checking the content type.
pub async fn problem(res: Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert_eq!(ct, "application/problem+json", "status {status}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], status);
    (status, body)
}

/// The events training-record has written to its outbox, oldest first: (type, data).
pub async fn published(app: &TestApp) -> Vec<(String, Value)> {
    use diesel::prelude::*;
    diesel::table! {
        outbox_events (seq) {
            seq -> BigInt,
            event_type -> Text,
            payload -> Text,
        }
    }
    app.db
        .read(|c| {
            outbox_events::table
                .order(outbox_events::seq.asc())
                .select((outbox_events::event_type, outbox_events::payload))
                .load::<(String, String)>(c)
                .map_err(continuity_shared::db::DbError::from)
        })
        .await
        .unwrap()
        .into_iter()
        .map(|(t, p)| {
            let v: Value = serde_json::from_str(&p).unwrap();
            (t, v["data"].clone())
        })
        .collect()
}

/// The data of every published event of `kind`, oldest first.
pub async fn published_of(app: &TestApp, kind: &str) -> Vec<Value> {
    published(app)
        .await
        .into_iter()
        .filter(|(t, _)| t == kind)
        .map(|(_, d)| d)
        .collect()
}

/// A request with the member token bound to employee E1.
pub fn as_member_e1(app: &TestApp, method: Method, path: &str) -> reqwest::RequestBuilder {
    app.client
        .request(method, app.url(path))
        .bearer_auth(continuity_shared::testing::MEMBER_E1)
}

/// Adds a video link of `seconds` to a session.
pub async fn add_video_link(app: &TestApp, session: &str, seconds: u32) -> String {
    let res = app
        .as_role(
            Role::Trainer,
            Method::POST,
            &format!("/v1/training-sessions/{session}/materials"),
        )
        .json(
            &json!({"url": "https://video.example.com/v/1", "kind": "video",
                      "duration_seconds": seconds}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    body["material_id"].as_str().unwrap().to_owned()
}

/// Reports progress as the integration token.
pub async fn report(app: &TestApp, material: &str, employee: &str, body: Value) -> (u16, Value) {
    let res = app
        .as_role(
            Role::Integration,
            Method::PUT,
            &format!("/v1/materials/{material}/progress/{employee}"),
        )
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub async fn attend(app: &TestApp, session: &str, employee: &str, attended: bool) -> u16 {
    app.as_role(
        Role::Trainer,
        Method::PUT,
        &format!("/v1/training-sessions/{session}/attendance/{employee}"),
    )
    .json(&json!({"attended": attended}))
    .send()
    .await
    .unwrap()
    .status()
    .as_u16()
}

pub fn id_of(v: &Value) -> String {
    v["session_id"].as_str().unwrap().to_owned()
}
