//! What HR events do to the roster and what they publish; unmatched events and their
//! replay; the same resignation through a `PUT` and an import; the daily job that lets
//! leavers go.

use std::time::Duration;

use continuity_shared::auth::Role;
use continuity_shared::testing::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::hr_webhook::{hired, published, published_about, send, spawn_hr};

fn resigned(id: &str, last: &str) -> Value {
    json!({"type": "employee.resigned", "data": {"employee_id": id, "notice_date": "2026-11-20",
        "last_working_day": last, "reason": "Moving abroad", "successor_employee_id": "E2"}})
}

async fn accepted(app: &TestApp, id: &str, event: &Value) -> Value {
    let res = send(app, id, event).await;
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, 202, "{body}");
    body
}

async fn employee(app: &TestApp, id: &str) -> Value {
    let (status, body) = get_json(app, &format!("/v1/employees/{id}")).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The payload of the last event of `kind` published about anyone.
async fn last_of(app: &TestApp, kind: &str) -> Value {
    published(app)
        .await
        .into_iter()
        .rev()
        .find(|(t, _)| t == kind)
        .map(|(_, p)| p["data"].clone())
        .unwrap_or_else(|| panic!("no {kind} published"))
}

#[actix_web::test]
async fn a_hire_creates_the_employee_and_a_resignation_makes_them_leaving_audited_as_the_event() {
    let app = spawn_hr(&[]).await;
    let hire = accepted(&app, "m1", &hired("E1", "sales")).await;
    assert_eq!(hire["status"], "applied");
    assert_eq!(employee(&app, "E1").await["status"], "active");

    let event = accepted(&app, "m2", &resigned("E1", "2026-12-31")).await;
    assert_eq!(event["status"], "applied");
    assert_eq!(event["type"], "employee.resigned");
    let e1 = employee(&app, "E1").await;
    assert_eq!(
        (e1["status"].as_str(), e1["last_working_day"].as_str()),
        (Some("leaving"), Some("2026-12-31"))
    );
    assert_eq!(
        published_about(&app, "E1").await,
        [
            "employee.upserted",
            "employee.upserted",
            "employee.resigned"
        ]
    );
    let r = last_of(&app, "employee.resigned").await;
    assert_eq!(r["notice_date"], "2026-11-20");
    assert_eq!(r["reason"], "Moving abroad");
    assert_eq!(r["department_code"], "sales");

    let (_, trail) = get_json(&app, "/v1/audit?entity=employee&id=E1").await;
    let newest = &trail["items"][0];
    assert_eq!(newest["cause"]["source"], "hr", "{newest}");
    assert_eq!(newest["cause"]["id"], event["id"]);
    assert_eq!(newest["new"]["status"], "leaving");

    let (status, one) = get_json(
        &app,
        &format!("/v1/hr/events/{}", event["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(one["data"]["successor_employee_id"], "E2");
}

#[actix_web::test]
async fn a_rescinded_resignation_makes_them_active_again_and_is_published() {
    let app = spawn_hr(&[]).await;
    accepted(&app, "m1", &hired("E1", "sales")).await;
    accepted(&app, "m2", &resigned("E1", "2026-12-31")).await;
    let rescind = json!({"type": "employee.resignation_rescinded", "data": {"employee_id": "E1"}});
    assert_eq!(accepted(&app, "m3", &rescind).await["status"], "applied");
    let e1 = employee(&app, "E1").await;
    assert_eq!(
        (e1["status"].as_str(), e1["last_working_day"].clone()),
        (Some("active"), Value::Null)
    );
    let types = published_about(&app, "E1").await;
    assert_eq!(
        types[3..],
        ["employee.upserted", "employee.resignation_rescinded"]
    );
    // Rescinding again changes nothing and publishes nothing.
    accepted(&app, "m4", &rescind).await;
    assert_eq!(published_about(&app, "E1").await.len(), 5);
}

#[actix_web::test]
async fn a_transfer_moves_the_employee_and_publishes_transferred_and_upserted() {
    let app = spawn_hr(&[]).await;
    accepted(&app, "m1", &hired("E1", "sales")).await;
    let transfer = json!({"type": "employee.transferred", "data": {"employee_id": "E1",
        "department_code": "it", "effective_date": "2026-12-01"}});
    assert_eq!(accepted(&app, "m2", &transfer).await["status"], "applied");
    assert_eq!(employee(&app, "E1").await["department_code"], "it");
    assert_eq!(
        published_about(&app, "E1").await[1..],
        ["employee.upserted", "employee.transferred"]
    );
    let t = last_of(&app, "employee.transferred").await;
    assert_eq!(
        (
            t["from_department_code"].as_str(),
            t["department_code"].as_str(),
            t["effective_date"].as_str()
        ),
        (Some("sales"), Some("it"), Some("2026-12-01"))
    );
}

#[actix_web::test]
async fn a_hire_of_someone_on_the_roster_updates_them_and_brings_back_someone_who_left() {
    let app = spawn_hr(&[]).await;
    accepted(&app, "m1", &hired("E1", "sales")).await;
    let again = json!({"type": "employee.hired", "data": {"employee_id": "E1",
        "name": "Li Lei (QA)", "department_code": "it", "hire_date": "2020-03-01"}});
    assert_eq!(accepted(&app, "m2", &again).await["status"], "applied");
    let e1 = employee(&app, "E1").await;
    assert_eq!(
        (e1["name"].as_str(), e1["department_code"].as_str()),
        (Some("Li Lei (QA)"), Some("it"))
    );
    let (_, trail) = get_json(&app, "/v1/audit?entity=employee&id=E1").await;
    let mut actions: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    actions.sort();
    assert_eq!(actions, ["created", "updated"], "{trail}");

    let csv = "employee_id,name,department_code,hire_date,leave_date\nE2,Wang Wu,it,2019-05-01,2020-02-28\n";
    assert_eq!(import_csv(&app, csv, None).await.status(), 200);
    assert_eq!(employee(&app, "E2").await["status"], "left");
    assert_eq!(
        accepted(&app, "m3", &hired("E2", "sales")).await["status"],
        "applied"
    );
    let e2 = employee(&app, "E2").await;
    assert_eq!(
        (
            e2["status"].as_str(),
            e2["last_working_day"].as_str(),
            e2["department_code"].as_str()
        ),
        (Some("active"), None, Some("sales"))
    );
}

#[actix_web::test]
async fn a_termination_without_a_resignation_is_an_immediate_departure_and_after_one_moves_the_day()
{
    let app = spawn_hr(&[]).await;
    accepted(&app, "m1", &hired("E1", "sales")).await;
    accepted(&app, "m2", &hired("E2", "sales")).await;
    let terminate = |id: &str, day: &str| json!({"type": "employee.terminated", "data": {"employee_id": id, "last_working_day": day}});
    accepted(&app, "m3", &terminate("E1", "2026-11-28")).await;
    let e1 = employee(&app, "E1").await;
    assert_eq!(
        (e1["status"].as_str(), e1["last_working_day"].as_str()),
        (Some("left"), Some("2026-11-28"))
    );
    assert_eq!(
        published_about(&app, "E1").await[1..],
        ["employee.upserted", "employee.left"]
    );

    accepted(&app, "m4", &resigned("E2", "2026-12-31")).await;
    accepted(&app, "m5", &terminate("E2", "2026-12-10")).await;
    let e2 = employee(&app, "E2").await;
    assert_eq!(
        (e2["status"].as_str(), e2["last_working_day"].as_str()),
        (Some("leaving"), Some("2026-12-10"))
    );
    assert_eq!(
        published_about(&app, "E2").await[1..],
        [
            "employee.upserted",
            "employee.resigned",
            "employee.upserted"
        ]
    );
}

#[actix_web::test]
async fn an_event_for_an_unknown_employee_or_department_is_unmatched_listed_and_replayed_once_fixed()
 {
    let app = spawn_hr(&[]).await;
    let lost = accepted(&app, "m1", &resigned("E5", "2026-12-31")).await;
    assert_eq!(lost["status"], "unmatched");
    assert!(lost["problem"].as_str().unwrap().contains("E5"), "{lost}");
    let hire_qa = accepted(&app, "m2", &hired("E6", "qa")).await;
    assert_eq!(hire_qa["status"], "unmatched");
    assert!(hire_qa["problem"].as_str().unwrap().contains("qa"));
    assert!(published_about(&app, "E5").await.is_empty());

    let (_, unmatched) = get_json(&app, "/v1/hr/events?status=unmatched").await;
    let ids: Vec<&Value> = unmatched["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["id"])
        .collect();
    assert_eq!(ids, [&lost["id"], &hire_qa["id"]]);
    assert_eq!(unmatched["next_cursor"], Value::Null);
    let (_, page) = get_json(&app, "/v1/hr/events?status=unmatched&limit=1").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert!(page["next_cursor"].is_string());
    assert_eq!(get_json(&app, "/v1/hr/events?status=lost").await.0, 422);

    let replay = |id: &Value, role: Role| {
        app.as_role(
            role,
            Method::POST,
            &format!("/v1/hr/events/{}/replay", id.as_str().unwrap()),
        )
    };
    // Nothing fixed yet: still unmatched.
    let res = replay(&lost["id"], Role::Manager).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "unmatched");

    // HR fixes the mapping: the department exists, the employee is hired.
    put_department(&app, "qa", json!({"name": "QA"})).await;
    accepted(&app, "m3", &hired("E5", "sales")).await;
    for event in [&hire_qa, &lost] {
        let res = replay(&event["id"], Role::Manager).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status"], "applied", "{body}");
        assert!(body["applied_at"].is_string());
    }
    assert_eq!(employee(&app, "E6").await["department_code"], "qa");
    assert_eq!(employee(&app, "E5").await["status"], "leaving");
    assert!(
        published_about(&app, "E5")
            .await
            .contains(&"employee.resigned".to_owned())
    );
    let (_, trail) = get_json(&app, "/v1/audit?entity=employee&id=E5").await;
    assert_eq!(trail["items"][0]["cause"]["id"], lost["id"]);

    // Applied now: a second replay is refused, an unknown id is 404, a member may not.
    let (status, _) = problem(replay(&lost["id"], Role::Manager).send().await.unwrap()).await;
    assert_eq!(status, 409);
    let (status, _) = problem(replay(&json!("nope"), Role::Admin).send().await.unwrap()).await;
    assert_eq!(status, 404);
    let res = app
        .client
        .post(app.url(&format!(
            "/v1/hr/events/{}/replay",
            lost["id"].as_str().unwrap()
        )))
        .bearer_auth(continuity_shared::testing::MEMBER_E1)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let (_, unmatched) = get_json(&app, "/v1/hr/events?status=unmatched").await;
    assert!(unmatched["items"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn a_put_giving_a_last_working_day_publishes_resigned_and_taking_it_away_rescinded() {
    let app = spawn_hr(&[]).await;
    let body = |status: &str, last: Value| {
        json!({"name": "Li Lei", "department_code": "sales", "hire_date": "2020-01-01",
            "status": status, "last_working_day": last})
    };
    assert_eq!(
        put_employee(&app, "E1", body("active", Value::Null))
            .await
            .status(),
        201
    );
    assert_eq!(
        put_employee(&app, "E1", body("leaving", json!("2026-12-31")))
            .await
            .status(),
        200
    );
    let r = last_of(&app, "employee.resigned").await;
    assert_eq!(
        (r["notice_date"].as_str(), r["last_working_day"].as_str()),
        (Some("2026-11-28"), Some("2026-12-31"))
    );
    assert_eq!(
        put_employee(&app, "E1", body("active", Value::Null))
            .await
            .status(),
        200
    );
    assert_eq!(
        published_about(&app, "E1").await,
        [
            "employee.upserted",
            "employee.upserted",
            "employee.resigned",
            "employee.upserted",
            "employee.resignation_rescinded"
        ]
    );
}

#[actix_web::test]
async fn an_import_row_with_a_leave_date_for_an_active_employee_publishes_resigned() {
    let app = spawn_hr(&[]).await;
    let header = "employee_id,name,department_code,hire_date,leave_date\n";
    let res = import_csv(
        &app,
        &format!("{header}E1,Li Lei,sales,2020-01-01,\nE2,Han Meimei,sales,2020-01-01,\n"),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    let csv =
        format!("{header}E1,Li Lei,sales,2020-01-01,2027-01-31\nE2,Han Meimei,sales,2020-01-01,\n");
    assert_eq!(import_csv(&app, &csv, None).await.status(), 200);
    assert_eq!(employee(&app, "E1").await["status"], "leaving");
    assert_eq!(
        published_about(&app, "E1").await,
        [
            "employee.upserted",
            "employee.upserted",
            "employee.resigned"
        ]
    );
    assert_eq!(published_about(&app, "E2").await, ["employee.upserted"]);
}

#[actix_web::test]
async fn on_the_day_after_the_last_working_day_the_daily_job_makes_the_leaver_left_once() {
    let app = spawn_hr(&[("CONTINUITY_SCHEDULER__TICK_SECONDS", "1")]).await;
    accepted(&app, "m1", &hired("E1", "sales")).await;
    // The last working day is today (2026-11-28 in Shanghai): still leaving all day.
    accepted(&app, "m2", &resigned("E1", "2026-11-28")).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(employee(&app, "E1").await["status"], "leaving");

    // 00:30 the next day, Shanghai time: past the job's 00:05.
    app.clock.set("2026-11-28T16:30:00Z".parse().unwrap());
    let mut status = Value::Null;
    for _ in 0..100 {
        status = employee(&app, "E1").await["status"].clone();
        if status == "left" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "left");
    let left = last_of(&app, "employee.left").await;
    assert_eq!(
        (
            left["employee_id"].as_str(),
            left["last_working_day"].as_str()
        ),
        (Some("E1"), Some("2026-11-28"))
    );
    let (_, trail) = get_json(&app, "/v1/audit?entity=employee&id=E1").await;
    assert_eq!(trail["items"][0]["cause"]["source"], "scheduler");

    // Another day: nobody left to let go, nothing published again.
    app.clock.advance(chrono::Duration::days(1));
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let lefts = published_about(&app, "E1")
        .await
        .into_iter()
        .filter(|t| t == "employee.left")
        .count();
    assert_eq!(lefts, 1);
}
