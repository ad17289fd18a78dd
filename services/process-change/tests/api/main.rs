//! process-change's integration tests: the real service on a random port, over HTTP, against a fresh
//! database. Its own resources arrive with its issue; today it serves the shared operations
//! endpoints and keeps the copy of staffing's roster (tested in depth in training-record).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use continuity_shared::auth::Role;
use continuity_shared::testing::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

#[actix_web::test]
async fn it_is_ready_documented_and_copies_staffing_employees() {
    let app = TestApp::spawn(&process_change::SERVICE).await;
    let ready = app
        .client
        .get(app.url("/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let doc: Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["info"]["title"], "Continuity process-change");
    assert!(doc["paths"]["/v1/roster/employees"]["get"].is_object());

    let event = json!({"specversion": "1.0", "id": "e1", "source": "staffing", "type": "employee.upserted",
        "time": "2026-11-28T08:00:00Z", "data": {"employee_id": "E1", "name": "Li Lei",
        "department_code": "quality", "hire_date": null, "status": "active", "last_working_day": null}});
    let res = app
        .as_role(Role::Service, Method::POST, "/v1/events")
        .header("content-type", "application/cloudevents+json")
        .body(event.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let copy: Value = app
        .as_role(Role::Integration, Method::GET, "/v1/roster/employees")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(copy["items"][0]["department_code"], "quality");
}
