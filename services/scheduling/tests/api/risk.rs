//! `GET /v1/projects/{id}/risk` and its re-scoring on roster changes.

use std::collections::BTreeSet;

use continuity_shared::auth::Role;
use continuity_shared::testing::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::recommendations::{PROJECT, staffed_project};

async fn risk_events(app: &TestApp) -> usize {
    let (_, outbox) = json_of(
        app.as_role(Role::Admin, Method::GET, "/v1/admin/outbox?limit=500")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let ids: BTreeSet<String> = outbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["event_type"] == "schedule.risk_changed")
        .map(|i| i["event_id"].as_str().unwrap().to_owned())
        .collect();
    ids.len()
}

async fn audit_levels(app: &TestApp) -> Vec<Value> {
    let (code, audit) = json_of(
        app.as_role(
            Role::Admin,
            Method::GET,
            &format!("/v1/audit?entity=project_risk&id={PROJECT}"),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(code, 200, "{audit}");
    audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["new"]["level"].clone())
        .collect()
}

#[actix_web::test]
async fn the_planned_dates_are_scored_and_a_resignation_that_moves_the_level_is_published() {
    let app = spawn().await;
    staffed_project(&app).await;
    let (code, body) = get(&app, &format!("/v1/projects/{PROJECT}/risk")).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["plan"]["start"], "2027-06-01");
    assert_eq!(body["plan"]["stabilization_end"], "2027-11-30");
    let before = body["level"].as_str().unwrap().to_owned();
    assert_ne!(before, "high", "{body}");
    // Scored when the project arrived (no team yet: high) and as each member joined.
    let published = risk_events(&app).await;
    assert!(published >= 1);
    // S1 resigns, leaving in the middle of the implementation: sales drops below two.
    employee(
        &app,
        "S1",
        "sales",
        "2020-01-01",
        "leaving",
        Some("2027-07-31"),
    )
    .await;
    let (_, after) = get(&app, &format!("/v1/projects/{PROJECT}/risk")).await;
    assert_eq!(after["level"], "high", "{after}");
    assert_eq!(after["plan"]["breach_probability"], 1.0);
    assert_eq!(risk_events(&app).await, published + 1, "the level changed");
    assert_eq!(audit_levels(&app).await.last().unwrap(), "high");
    // The same resignation again changes nothing.
    employee(
        &app,
        "S1",
        "sales",
        "2020-01-01",
        "leaving",
        Some("2027-07-31"),
    )
    .await;
    assert_eq!(risk_events(&app).await, published + 1);
}

#[actix_web::test]
async fn raising_a_key_departments_minimum_rescores_the_open_projects() {
    let app = spawn().await;
    staffed_project(&app).await;
    let (_, body) = get(&app, &format!("/v1/projects/{PROJECT}/risk")).await;
    let before = body["level"].as_str().unwrap().to_owned();
    assert_ne!(before, "high", "{body}");
    let published = risk_events(&app).await;
    // Sales now needs three effective members; the project has two there.
    event(
        &app,
        "department.upserted",
        json!({"code": "sales", "name": "Sales", "key": true, "min_project_members": 3}),
    )
    .await;
    let (_, after) = get(&app, &format!("/v1/projects/{PROJECT}/risk")).await;
    assert_eq!(after["level"], "high", "{after}");
    assert_eq!(risk_events(&app).await, published + 1);
    assert_eq!(audit_levels(&app).await.last().unwrap(), "high");
    // A department that is not key does not enter the score.
    event(
        &app,
        "department.upserted",
        json!({"code": "it", "name": "IT", "key": false, "min_project_members": 5}),
    )
    .await;
    assert_eq!(risk_events(&app).await, published + 1);
    // Back to two: the level the project had.
    event(
        &app,
        "department.upserted",
        json!({"code": "sales", "name": "Sales", "key": true, "min_project_members": 2}),
    )
    .await;
    let (_, again) = get(&app, &format!("/v1/projects/{PROJECT}/risk")).await;
    assert_eq!(again["level"], before.as_str(), "{again}");
    assert_eq!(risk_events(&app).await, published + 2);
}

#[actix_web::test]
async fn a_project_unknown_or_without_dates_is_a_problem() {
    let app = spawn().await;
    let unknown = "01938a6e-0000-7000-8000-0000000000ff";
    let res = app
        .as_role(
            Role::Manager,
            Method::GET,
            &format!("/v1/projects/{unknown}/risk"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 404);
    event(
        &app,
        "project.upserted",
        json!({"project_id": PROJECT, "name": "CRM",
        "status": "planned", "planned_start": null, "planned_go_live": null,
        "stabilization_months": 3}),
    )
    .await;
    let res = app
        .as_role(
            Role::Manager,
            Method::GET,
            &format!("/v1/projects/{PROJECT}/risk"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 409);
    let res = app
        .as_role(Role::Manager, Method::GET, "/v1/projects/not-a-uuid/risk")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 422);
}
