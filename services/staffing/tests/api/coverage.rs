//! Coverage: read on a date, published once per change (the changes time brings
//! included), and never served stale after a change that moves it.

use std::time::Duration;

use continuity_shared::auth::Role;
use continuity_shared::testing::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::hr_webhook::{published, spawn_hr};
use crate::projects::{hire, project, put_member};

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
