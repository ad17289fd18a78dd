//! Projects and their teams, and the key departments a new installation starts with
//! (coverage has its own file).

use continuity_shared::auth::Role;
use continuity_shared::testing::TestApp;
use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::hr_webhook::published;

pub async fn create_project(app: &TestApp, body: Value) -> Response {
    app.as_role(Role::Manager, Method::POST, "/v1/projects")
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// A project going live on 2027-03-01, stable until 2027-06-01; its id.
pub async fn project(app: &TestApp) -> String {
    let res = create_project(
        app,
        json!({"name": "CRM roll-out", "status": "in_progress", "planned_start": "2026-09-01",
            "planned_go_live": "2027-03-01"}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    body["project_id"].as_str().unwrap().to_owned()
}

pub async fn put_member(app: &TestApp, project: &str, id: &str, body: Value) -> Response {
    app.as_role(
        Role::Manager,
        Method::PUT,
        &format!("/v1/projects/{project}/members/{id}"),
    )
    .json(&body)
    .send()
    .await
    .unwrap()
}

pub async fn hire(app: &TestApp, id: &str, dept: &str, hired: &str) {
    let res = put_employee(
        app,
        id,
        json!({"name": format!("Person {id}"), "department_code": dept, "hire_date": hired}),
    )
    .await;
    assert_eq!(res.status(), 201);
}

#[actix_web::test]
async fn a_new_installation_starts_with_three_key_departments_published_and_audited() {
    let app = TestApp::spawn_with(
        &staffing::SERVICE,
        &[("CONTINUITY_TRAINING_RECORD__BASE_URL", "http://127.0.0.1:9")],
    )
    .await;
    let (_, page) = get_json(&app, "/v1/departments").await;
    let seeded: Vec<_> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].clone(),
                d["key"].clone(),
                d["min_project_members"].clone(),
            )
        })
        .collect();
    assert_eq!(
        seeded,
        [
            (json!("after_sales"), json!(true), json!(2)),
            (json!("quality"), json!(true), json!(2)),
            (json!("sales"), json!(true), json!(2)),
        ]
    );
    let upserts = published(&app)
        .await
        .into_iter()
        .filter(|(t, _)| t == "department.upserted")
        .count();
    assert_eq!(upserts, 3, "every peer hears of them");
    let (_, trail) = get_json(&app, "/v1/audit?entity=department&id=quality").await;
    assert_eq!(trail["items"][0]["action"], "created");
    // Editable like any other.
    let res = put_department(&app, "quality", json!({"name": "QA", "key": false})).await;
    assert_eq!(res.status(), 200);
}

#[actix_web::test]
async fn a_bad_project_is_422_naming_the_field_and_creates_nothing() {
    let app = spawn().await;
    for (body, field) in [
        (
            json!({"name": "X", "planned_start": "2027-01-02", "planned_go_live": "2027-01-01"}),
            "planned_go_live",
        ),
        (
            json!({"name": "X", "stabilization_months": 37}),
            "stabilization_months",
        ),
        (json!({"name": " "}), "name"),
        (json!({"name": "X", "status": "done"}), "status"),
        (
            json!({"name": "X", "planned_go_live": "10000-01-01"}),
            "planned_go_live",
        ),
    ] {
        let (status, problem) = problem(create_project(&app, body.clone()).await).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let (_, page) = get_json(&app, "/v1/projects").await;
    assert_eq!(page["items"], json!([]));
    let (status, _) = get_json(&app, "/v1/projects/not-a-uuid").await;
    assert_eq!(status, 422);
    let (status, _) = get_json(&app, "/v1/projects/01939a5c-0000-7000-8000-000000000001").await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn a_project_is_created_once_per_key_patched_with_if_match_and_published() {
    let app = spawn().await;
    let body = json!({"name": "CRM roll-out", "planned_go_live": "2027-03-01"});
    let send = || {
        app.as_role(Role::Manager, Method::POST, "/v1/projects")
            .header("idempotency-key", "p-1")
            .json(&body)
            .send()
    };
    let first: Value = send().await.unwrap().json().await.unwrap();
    let again = send().await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(
        again.json::<Value>().await.unwrap()["project_id"],
        first["project_id"]
    );
    assert_eq!(first["status"], "planned");
    assert_eq!(first["stabilization_months"], 3);
    assert_eq!(first["stabilization_end"], "2027-06-01");
    let id = first["project_id"].as_str().unwrap();
    let path = format!("/v1/projects/{id}");

    let patch = |etag: &str, body: Value| {
        app.as_role(Role::Manager, Method::PATCH, &path)
            .header("if-match", etag)
            .json(&body)
            .send()
    };
    let res = patch("\"7\"", json!({"status": "live"})).await.unwrap();
    assert_eq!(res.status(), 412);
    let res = patch("\"1\"", json!({"status": "live", "planned_go_live": null}))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let live: Value = res.json().await.unwrap();
    assert_eq!(
        (live["status"].as_str(), &live["planned_go_live"]),
        (Some("live"), &Value::Null)
    );

    let upserts: Vec<Value> = published(&app)
        .await
        .into_iter()
        .filter(|(t, _)| t == "project.upserted")
        .map(|(_, p)| p["data"]["status"].clone())
        .collect();
    assert_eq!(
        upserts,
        [json!("planned"), json!("live")],
        "one per change, none for the replay"
    );
    let (_, listed) = get_json(&app, "/v1/projects?status=live").await;
    assert_eq!(listed["items"][0]["project_id"], id);
    let (_, none) = get_json(&app, "/v1/projects?status=planned").await;
    assert_eq!(none["items"], json!([]));
    let (_, trail) = get_json(&app, &format!("/v1/audit?entity=project&id={id}")).await;
    assert_eq!(trail["items"].as_array().unwrap().len(), 2);
    // The CRM reads projects but does not change them.
    let res = app
        .as_role(Role::Integration, Method::PATCH, &path)
        .json(&json!({"name": "Mine"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[actix_web::test]
async fn members_are_checked_before_they_join_the_team() {
    let app = spawn().await;
    seed_departments(&app).await;
    hire(&app, "A", "sales", "2020-01-01").await;
    let p = project(&app).await;
    for (id, body, status, field) in [
        ("A", json!({"role": "owner"}), 422, Some("role")),
        (
            "A",
            json!({"role": "member", "department_code": "nope"}),
            422,
            Some("department_code"),
        ),
        (
            "A",
            json!({"role": "member", "backup_for": "A"}),
            422,
            Some("backup_for"),
        ),
        (
            "A",
            json!({"role": "member", "backup_for": "Z"}),
            422,
            Some("backup_for"),
        ),
        ("Z", json!({"role": "member"}), 404, None),
        (
            "bad!id",
            json!({"role": "member"}),
            422,
            Some("employee_id"),
        ),
    ] {
        let (got, body) = problem(put_member(&app, &p, id, body).await).await;
        assert_eq!(got, status, "{body}");
        if let Some(field) = field {
            assert_eq!(body["errors"][0]["field"], field, "{body}");
        }
    }
    let (_, team) = get_json(&app, &format!("/v1/projects/{p}/members")).await;
    assert_eq!(team["items"], json!([]));

    let res = put_member(&app, &p, "A", json!({"role": "key_user"})).await;
    assert_eq!(res.status(), 201);
    let a: Value = res.json().await.unwrap();
    // Joined today in the company's time zone (not the UTC date).
    let today = app.clock.today().to_string();
    assert_eq!(
        (a["department_code"].as_str(), a["joined_on"].as_str()),
        (Some("sales"), Some(today.as_str()))
    );
    let same = put_member(&app, &p, "A", json!({"role": "key_user"})).await;
    assert_eq!(same.status(), 200);
    let res = app
        .as_role(
            Role::Manager,
            Method::DELETE,
            &format!("/v1/projects/{p}/members/A"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let kinds: Vec<String> = published(&app)
        .await
        .into_iter()
        .filter(|(t, _)| t.starts_with("team_member."))
        .map(|(t, _)| t)
        .collect();
    assert_eq!(kinds, ["team_member.added", "team_member.removed"]);
}
