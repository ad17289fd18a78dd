//! Hostile and broken input: always a problem+json 4xx, never a 500.

use continuity_shared::auth::Role;
use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn bad_bodies_and_paths_are_4xx_problems() {
    let app = spawn().await;
    let p = project(&app).await;
    let create = format!("/v1/projects/{p}/process-changes");
    let raw = |body: &'static str, ct: &'static str| {
        app.as_role(Role::Documenter, Method::POST, &create)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    assert_eq!(
        problem(raw("{", "application/json").await.unwrap()).await.0,
        400
    );
    assert_eq!(problem(raw("{}", "text/plain").await.unwrap()).await.0, 415);
    let mut cases = vec![];
    for (field, value) in [
        ("departments", json!([])),
        ("departments", json!(["Not a code!"])),
        ("after", json!("Paper form signed by hand")),
        ("effective_date", json!("2026-13-01")),
        ("process", json!("")),
        ("step", json!("x".repeat(201))),
        ("before", json!("\u{0007}")),
        ("surprise", json!(1)),
    ] {
        let mut body = change_body("S", &["sales"]);
        body[field] = value;
        cases.push((field, body));
    }
    let mut missing = change_body("S", &["sales"]);
    missing.as_object_mut().unwrap().remove("reason");
    cases.push(("reason", missing));
    for (field, body) in cases {
        let res = send(&app, Role::Documenter, Method::POST, &create, Some(body)).await;
        let (code, b) = problem(res).await;
        assert_eq!(code, 422, "{field}: {b}");
    }
    let res = send(
        &app,
        Role::Documenter,
        Method::POST,
        "/v1/projects/nope/process-changes",
        Some(change_body("S", &["sales"])),
    )
    .await;
    assert_eq!(problem(res).await.0, 422);
    for path in [
        "/v1/process-changes/nope",
        "/v1/notices/nope",
        "/v1/notices/nope/acknowledgments",
    ] {
        let res = send(&app, Role::Manager, Method::GET, path, None).await;
        assert_eq!(problem(res).await.0, 422, "{path}");
    }
    let unknown = uuid::Uuid::now_v7();
    for path in [
        format!("/v1/process-changes/{unknown}"),
        format!("/v1/notices/{unknown}"),
        format!("/v1/notices/{unknown}/acknowledgments"),
    ] {
        let res = send(&app, Role::Manager, Method::GET, &path, None).await;
        assert_eq!(problem(res).await.0, 404, "{path}");
    }
    let res = send(
        &app,
        Role::Manager,
        Method::POST,
        &format!("/v1/process-changes/{unknown}/approve"),
        None,
    )
    .await;
    assert_eq!(problem(res).await.0, 404);
    let res = send(
        &app,
        Role::Manager,
        Method::POST,
        &format!("/v1/notices/{unknown}/publish"),
        None,
    )
    .await;
    assert_eq!(problem(res).await.0, 404);
    let res = send(
        &app,
        Role::Integration,
        Method::GET,
        "/v1/employees/../pending-acknowledgments",
        None,
    )
    .await;
    assert!(res.status().is_client_error());
}

#[actix_web::test]
async fn a_notice_refuses_no_changes_unknown_ones_other_projects_and_two_of_one_step() {
    let app = spawn().await;
    let p = project(&app).await;
    let a = record(&app, &p, "A", &["sales"]).await;
    let a2 = record(&app, &p, "A", &["sales"]).await;
    let other = record(&app, &project(&app).await, "B", &["sales"]).await;
    for id in [&a, &a2, &other] {
        approve(&app, id).await;
    }
    let path = format!("/v1/projects/{p}/notices");
    for ids in [
        json!([]),
        json!([uuid::Uuid::now_v7().to_string()]),
        json!([other]),
        json!([a, a2]),
        json!(["nope"]),
    ] {
        let res = send(
            &app,
            Role::Manager,
            Method::POST,
            &path,
            Some(json!({"title": "T", "change_ids": ids})),
        )
        .await;
        let (code, body) = problem(res).await;
        assert_eq!(code, 422, "{ids}: {body}");
    }
    // The same change twice is the change once.
    let res = send(
        &app,
        Role::Manager,
        Method::POST,
        &path,
        Some(json!({"title": "T", "change_ids": [a, a]})),
    )
    .await;
    let (code, body) = json_of(res).await;
    assert_eq!(code, 201);
    assert_eq!(body["changes"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn a_project_staffing_has_not_published_is_404_and_nothing_is_recorded() {
    let app = spawn().await;
    let unknown = uuid::Uuid::now_v7().to_string();
    let body = json!({"process": "Order to cash", "step": "Quote", "before": "Paper", "after": "CRM",
        "reason": "One record", "departments": ["sales"], "effective_date": "2026-12-15"});
    let res = app
        .as_role(
            Role::Documenter,
            Method::POST,
            &format!("/v1/projects/{unknown}/process-changes"),
        )
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = app
        .as_role(
            Role::Manager,
            Method::GET,
            &format!("/v1/projects/{unknown}/process-changes"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = app
        .as_role(
            Role::Manager,
            Method::POST,
            &format!("/v1/projects/{unknown}/notices"),
        )
        .json(&json!({"title": "T", "change_ids": [uuid::Uuid::now_v7().to_string()]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // Once staffing publishes it, the same request records the change.
    let known = project(&app).await;
    let res = app
        .as_role(
            Role::Documenter,
            Method::POST,
            &format!("/v1/projects/{known}/process-changes"),
        )
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
}
