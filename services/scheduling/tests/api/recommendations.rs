//! `POST /v1/projects/{id}/schedule/recommendations` over HTTP.

use continuity_shared::auth::Role;
use continuity_shared::testing::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

pub const PROJECT: &str = "01938a6e-0000-7000-8000-000000000001";

/// Sales (key, two needed) with S1 and S2 on the project, and the festival history.
pub async fn staffed_project(app: &TestApp) {
    assert_eq!(
        import(app, Role::Manager, &festival_history())
            .await
            .status(),
        200
    );
    event(
        app,
        "department.upserted",
        json!({"code": "sales", "name": "Sales", "key": true,
        "min_project_members": 2}),
    )
    .await;
    employee(app, "S1", "sales", "2020-01-01", "active", None).await;
    employee(app, "S2", "sales", "2026-11-15", "active", None).await;
    event(
        app,
        "project.upserted",
        json!({"project_id": PROJECT, "name": "CRM",
        "status": "planned", "planned_start": "2027-06-01", "planned_go_live": "2027-09-01",
        "stabilization_months": 3}),
    )
    .await;
    for id in ["S1", "S2"] {
        event(
            app,
            "team_member.added",
            json!({"project_id": PROJECT, "employee_id": id,
            "department_code": "sales", "role": "key_user", "backup_for": null}),
        )
        .await;
    }
}

pub async fn recommend(app: &TestApp, project: &str, body: Value, lang: &str) -> reqwest::Response {
    app.as_role(
        Role::Manager,
        Method::POST,
        &format!("/v1/projects/{project}/schedule/recommendations"),
    )
    .header("accept-language", lang)
    .json(&body)
    .send()
    .await
    .unwrap()
}

pub fn window() -> Value {
    json!({"earliest_start": "2027-01-01", "latest_go_live": "2028-06-01",
        "implementation_months": 4})
}

#[actix_web::test]
async fn candidates_are_ranked_by_broken_rules_then_risk_with_reasons_and_repeatable() {
    let app = spawn().await;
    staffed_project(&app).await;
    let (code, body) = json_of(recommend(&app, PROJECT, window(), "en").await).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["basis"], "spring_festival");
    assert!(!body["resignation_peaks"].as_array().unwrap().is_empty());
    let candidates = body["candidates"].as_array().unwrap();
    assert_eq!(candidates.len(), 14, "Jan 2027 to Feb 2028");
    let broken: Vec<u64> = candidates
        .iter()
        .map(|c| c["broken_rules"].as_u64().unwrap())
        .collect();
    assert!(broken.windows(2).all(|w| w[0] <= w[1]), "{broken:?}");
    let best = &candidates[0];
    assert_eq!(best["broken_rules"], 0, "{best}");
    // An implementation over the 2027 festival (2027-02-06) breaks rule (a).
    let january = candidates
        .iter()
        .find(|c| c["start"] == "2027-01-01")
        .unwrap();
    assert_eq!(january["rules"][0]["met"], false, "{january}");
    assert!(
        january["reasons"][0]
            .as_str()
            .unwrap()
            .contains("resignation peak")
    );
    // S2 was hired on 2026-11-15: still settling in at a January start.
    assert_eq!(january["unsettled_members"][0]["employee_id"], "S2");
    assert!(best["breach_probability"].as_f64().unwrap() >= 0.0);
    assert_eq!(best["draws"], 4000);
    assert!(best["standard_error"].as_f64().unwrap() <= 0.01);
    assert!(
        body["assumptions"][1]
            .as_str()
            .unwrap()
            .contains("replaced after 60 days")
    );
    let (_, again) = json_of(recommend(&app, PROJECT, window(), "en").await).await;
    assert_eq!(
        body, again,
        "seeded: the same request gives the same answer"
    );
    let (_, zh) = json_of(recommend(&app, PROJECT, window(), "zh-CN").await).await;
    assert!(
        zh["candidates"][0]["reasons"][0]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| c > '\u{2e80}')
    );
}

#[actix_web::test]
async fn bad_requests_are_problems_never_500() {
    let app = spawn().await;
    staffed_project(&app).await;
    let unknown = "01938a6e-0000-7000-8000-0000000000ff";
    assert_eq!(
        problem(recommend(&app, unknown, window(), "en").await)
            .await
            .0,
        404
    );
    assert_eq!(
        problem(recommend(&app, "p-1", window(), "en").await)
            .await
            .0,
        422
    );
    for (patch, field) in [
        (json!({"implementation_months": 0}), "implementation_months"),
        (json!({"stabilization_months": 13}), "stabilization_months"),
        (json!({"settling_in_days": 400}), "settling_in_days"),
        (json!({"latest_go_live": "2026-01-01"}), "latest_go_live"),
        (json!({"latest_go_live": "2027-02-01"}), "latest_go_live"),
        (json!({"earliest_start": "2027-02-30"}), "earliest_start"),
    ] {
        let mut body = window();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (code, p) = problem(recommend(&app, PROJECT, body, "en").await).await;
        assert_eq!(code, 422, "{patch}: {p}");
        assert_eq!(p["errors"][0]["field"], field, "{patch}: {p}");
    }
    let mut extra = window();
    extra["surprise"] = json!(1);
    assert_eq!(
        problem(recommend(&app, PROJECT, extra, "en").await).await.0,
        422
    );
    let path = format!("/v1/projects/{PROJECT}/schedule/recommendations");
    let res = app
        .as_role(Role::Manager, Method::POST, &path)
        .header("content-type", "application/json")
        .body("{\"earliest_start\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 400);
    let res = app
        .as_role(Role::Manager, Method::POST, &path)
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 415);
}
