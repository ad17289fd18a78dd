//! Projects and their teams, the key departments a new installation starts with, and
//! coverage: read on a date, and published once per change, the changes time brings
//! included.

use std::time::Duration;

use continuity_shared::auth::Role;
use continuity_shared::testing::TestApp;
use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::hr_webhook::{published, spawn_hr};

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

pub async fn coverage(app: &TestApp, project: &str, on: &str) -> Value {
    let (status, body) = get_json(app, &format!("/v1/projects/{project}/coverage?on={on}")).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn department<'a>(coverage: &'a Value, code: &str) -> &'a Value {
    coverage["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department_code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {coverage}"))
}

/// `(old_status, new_status)` of every `coverage.changed` published for a department.
pub async fn coverage_changes(app: &TestApp, dept: &str) -> Vec<(Value, Value)> {
    published(app)
        .await
        .into_iter()
        .filter(|(t, p)| t == "coverage.changed" && p["data"]["department_code"] == dept)
        .map(|(_, p)| {
            (
                p["data"]["old_status"].clone(),
                p["data"]["new_status"].clone(),
            )
        })
        .collect()
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

#[actix_web::test]
async fn coverage_reads_each_department_on_a_date_and_publishes_each_change_once() {
    let app = spawn_hr(&[("CONTINUITY_SCHEDULER__TICK_SECONDS", "1")]).await;
    hire(&app, "A", "sales", "2020-01-01").await;
    hire(&app, "B", "sales", "2021-01-01").await;
    // Hired 2026-10-01: settling in until 2026-12-30.
    hire(&app, "N", "sales", "2026-10-01").await;
    hire(&app, "I", "it", "2020-01-01").await;
    let p = project(&app).await;

    // Sales is key: tracked, and breached, before anyone joins.
    let c = coverage(&app, &p, "2026-11-28").await;
    assert_eq!(c["status"], "breached");
    assert_eq!(department(&c, "sales")["effective"], 0);
    assert_eq!(
        put_member(&app, &p, "A", json!({"role": "key_user"}))
            .await
            .status(),
        201
    );
    assert_eq!(
        put_member(&app, &p, "B", json!({"role": "member", "backup_for": "A"}))
            .await
            .status(),
        201
    );
    let c = coverage(&app, &p, "2026-11-28").await;
    assert_eq!(department(&c, "sales")["status"], "ok");
    assert_eq!(
        put_member(&app, &p, "I", json!({"role": "member"}))
            .await
            .status(),
        201
    );
    let c = coverage(&app, &p, "2026-11-28").await;
    assert_eq!(
        department(&c, "it")["status"],
        "single_point",
        "one required, one there"
    );
    assert_eq!(c["status"], "single_point");
    assert_eq!(
        put_member(&app, &p, "N", json!({"role": "member"}))
            .await
            .status(),
        201
    );

    let c = coverage(&app, &p, "2026-11-28").await;
    let sales = department(&c, "sales");
    assert_eq!(
        (
            sales["status"].as_str(),
            sales["required"].as_u64(),
            sales["effective"].as_u64()
        ),
        (Some("at_risk"), Some(2), Some(2))
    );
    let n = sales["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["employee_id"] == "N")
        .unwrap();
    assert_eq!(
        (n["effective"].as_bool(), n["new_hire_until"].as_str()),
        (Some(false), Some("2026-12-30"))
    );
    let b = sales["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["employee_id"] == "B")
        .unwrap();
    assert_eq!(b["backup_for"], "A");
    assert!(
        sales["reasons"][0]
            .as_str()
            .unwrap()
            .contains("N is settling in until 2026-12-30")
    );
    // The same in Chinese.
    let zh: Value = app
        .as_role(
            Role::Manager,
            Method::GET,
            &format!("/v1/projects/{p}/coverage?on=2026-11-28"),
        )
        .header("accept-language", "zh-CN")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        department(&zh, "sales")["reasons"][0]
            .as_str()
            .unwrap()
            .contains("适应期")
    );
    // Once N has settled in, and on the day of a departure that has not been announced.
    assert_eq!(
        department(&coverage(&app, &p, "2026-12-30").await, "sales")["status"],
        "ok"
    );
    let (status, _) = get_json(&app, &format!("/v1/projects/{p}/coverage?on=2026-13-01")).await;
    assert_eq!(status, 422);

    // B resigns, leaving before the project is stable: on, before and after the day.
    let res = put_employee(
        &app,
        "B",
        json!({"name": "Person B", "department_code": "sales",
        "hire_date": "2021-01-01", "status": "leaving", "last_working_day": "2027-01-15"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let on = |d: &'static str| {
        let app = &app;
        let p = p.clone();
        async move { department(&coverage(app, &p, d).await, "sales")["status"].clone() }
    };
    assert_eq!(on("2027-01-14").await, "at_risk");
    assert_eq!(on("2027-01-15").await, "at_risk");
    assert_eq!(on("2027-01-16").await, "ok", "A and N remain, N settled");

    // Each change published once: null->breached, breached->ok (A then B), ok->at_risk (N).
    let expected = vec![
        (Value::Null, json!("breached")),
        (json!("breached"), json!("ok")),
        (json!("ok"), json!("at_risk")),
    ];
    let sales_changes = coverage_changes(&app, "sales").await;
    assert_eq!(
        sales_changes, expected,
        "B's departure keeps it at_risk: nothing new"
    );

    // Time brings the settling-in to an end: N counts from 2026-12-30, B still leaves
    // before the project is stable, so it stays at risk...
    app.clock.set("2026-12-29T16:30:00Z".parse().unwrap());
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(coverage_changes(&app, "sales").await, expected);
    // ...and the day after B's last working day, A and N are left: ok, published by the
    // daily job.
    app.clock.set("2027-01-15T16:30:00Z".parse().unwrap());
    let mut changes = Vec::new();
    for _ in 0..50 {
        changes = coverage_changes(&app, "sales").await;
        if changes.len() > expected.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        changes.last(),
        Some(&(json!("at_risk"), json!("ok"))),
        "{changes:?}"
    );
    assert_eq!(changes.len(), expected.len() + 1);
}

#[actix_web::test]
async fn a_higher_minimum_for_a_department_moves_its_coverage_at_once() {
    let app = spawn().await;
    seed_departments(&app).await;
    hire(&app, "A", "sales", "2020-01-01").await;
    hire(&app, "B", "sales", "2020-01-01").await;
    let p = project(&app).await;
    put_member(&app, &p, "A", json!({"role": "key_user"})).await;
    put_member(&app, &p, "B", json!({"role": "member"})).await;
    assert_eq!(
        coverage_changes(&app, "sales").await.last(),
        Some(&(json!("breached"), json!("ok")))
    );
    let res = put_department(
        &app,
        "sales",
        json!({"name": "Sales", "key": true, "min_project_members": 3}),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        coverage_changes(&app, "sales").await.last(),
        Some(&(json!("ok"), json!("breached")))
    );
    let c = coverage(&app, &p, "2026-11-28").await;
    assert_eq!(department(&c, "sales")["required"], 3);
}

#[actix_web::test]
async fn a_coverage_read_after_any_change_that_moves_it_shows_the_change() {
    // Every answer below is read for the same date right after the previous read of it,
    // so an answer kept from before a change would show.
    let app = spawn().await;
    seed_departments(&app).await;
    for id in ["A", "B", "C"] {
        hire(&app, id, "sales", "2020-01-01").await;
    }
    let p = project(&app).await;
    let day = "2027-02-01";
    let sales = |c: Value| {
        let d = department(&c, "sales");
        (
            d["status"].as_str().unwrap().to_owned(),
            d["effective"].as_u64().unwrap(),
        )
    };
    assert_eq!(sales(coverage(&app, &p, day).await), ("breached".into(), 0));
    for id in ["A", "B", "C"] {
        put_member(&app, &p, id, json!({"role": "member"})).await;
    }
    assert_eq!(sales(coverage(&app, &p, day).await), ("ok".into(), 3));
    // A member leaves the team.
    let res = app
        .as_role(
            Role::Manager,
            Method::DELETE,
            &format!("/v1/projects/{p}/members/C"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(sales(coverage(&app, &p, day).await), ("ok".into(), 2));
    // The department needs more.
    put_department(
        &app,
        "sales",
        json!({"name": "Sales", "key": true, "min_project_members": 3}),
    )
    .await;
    assert_eq!(sales(coverage(&app, &p, day).await), ("breached".into(), 2));
    put_department(
        &app,
        "sales",
        json!({"name": "Sales", "key": true, "min_project_members": 2}),
    )
    .await;
    assert_eq!(sales(coverage(&app, &p, day).await), ("ok".into(), 2));
    // A member resigns through a PUT, leaving before the date...
    let res = put_employee(
        &app,
        "B",
        json!({"name": "Person B", "department_code": "sales", "hire_date": "2020-01-01",
            "status": "leaving", "last_working_day": "2027-01-15"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(sales(coverage(&app, &p, day).await), ("breached".into(), 1));
    // ...and A through an import row with a leave date.
    let res = import_csv(
        &app,
        "employee_id,name,department_code,hire_date,leave_date\nA,Person A,sales,2020-01-01,2027-01-20\n",
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(sales(coverage(&app, &p, day).await), ("breached".into(), 0));
    // In Chinese, the same state (each language is its own answer).
    let zh: Value = app
        .as_role(
            Role::Manager,
            Method::GET,
            &format!("/v1/projects/{p}/coverage?on={day}"),
        )
        .header("accept-language", "zh-CN")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(department(&zh, "sales")["status"], "breached");
}
