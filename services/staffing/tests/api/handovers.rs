//! Handovers: opened by a resignation (a `PUT`, the HR webhook), the successor proposed
//! and assigned at once or by a manager, advanced by the peers' progress, completed
//! (forced by a manager only) or cancelled when the resignation is rescinded.

use continuity_shared::auth::Role;
use continuity_shared::testing::TestApp;
use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::hr_webhook::{published, send, spawn_hr};
use crate::projects::{hire, project, put_member};

async fn resign(app: &TestApp, id: &str, hired: &str, last_day: &str) {
    let res = put_employee(
        app,
        id,
        json!({"name": format!("Person {id}"), "department_code": "sales", "hire_date": hired,
            "status": "leaving", "last_working_day": last_day}),
    )
    .await;
    assert_eq!(res.status(), 200);
}

async fn handovers_of(app: &TestApp, project: &str) -> Vec<Value> {
    let (status, page) = get_json(app, &format!("/v1/handovers?project={project}")).await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().unwrap().clone()
}

async fn only_handover(app: &TestApp, project: &str) -> Value {
    let all = handovers_of(app, project).await;
    assert_eq!(all.len(), 1, "{all:?}");
    let id = all[0]["handover_id"].as_str().unwrap();
    get_json(app, &format!("/v1/handovers/{id}")).await.1
}

async fn post(app: &TestApp, role: Role, path: &str, body: Option<Value>) -> Response {
    let req = app.as_role(role, Method::POST, path);
    match body {
        Some(b) => req.json(&b),
        None => req,
    }
    .send()
    .await
    .unwrap()
}

/// A peer's `handover.progressed` for one part.
async fn progressed(app: &TestApp, id: &str, part: &str, done: u32, required: u32) {
    let source = if part == "training" {
        "training-record"
    } else {
        "process-change"
    };
    let event = json!({"specversion": "1.0", "id": format!("{id}-{part}-{done}"), "source": source,
        "type": "handover.progressed", "time": "2026-11-28T03:00:00Z",
        "data": {"handover_id": id, "part": part, "done": done, "required": required}});
    let res = post(app, Role::Service, "/v1/events", Some(event)).await;
    assert_eq!(res.status(), 200);
}

fn kinds(events: &[(String, Value)]) -> Vec<&str> {
    events
        .iter()
        .filter(|(t, _)| t.starts_with("handover."))
        .map(|(t, _)| t.as_str())
        .collect()
}

/// Sales: A (key user) with B as backup, C a member; all long settled.
async fn team(app: &TestApp) -> String {
    for id in ["A", "B", "C"] {
        hire(app, id, "sales", "2020-01-01").await;
    }
    let p = project(app).await;
    put_member(app, &p, "A", json!({"role": "key_user"})).await;
    put_member(app, &p, "B", json!({"role": "member", "backup_for": "A"})).await;
    put_member(app, &p, "C", json!({"role": "member"})).await;
    p
}

#[actix_web::test]
async fn a_resignation_assigns_an_effective_backup_at_once_and_completes_when_both_parts_are_done()
{
    let app = spawn_hr(&[]).await;
    let p = team(&app).await;
    resign(&app, "A", "2020-01-01", "2027-01-31").await;

    let h = only_handover(&app, &p).await;
    assert_eq!(h["status"], "successor_assigned", "{h}");
    assert_eq!(h["successor"]["proposal"], "backup");
    assert_eq!(h["successor"]["assigned_employee_id"], "B");
    assert_eq!(
        (h["due_date"].as_str(), h["role"].as_str()),
        (Some("2027-01-31"), Some("key_user"))
    );
    // Once A has gone, B and C still cover sales.
    assert_eq!(h["coverage_after"]["on"], "2027-02-01");
    assert_eq!(h["coverage_after"]["effective"], 2);
    assert_eq!(h["coverage_after"]["status"], "ok");
    // B takes A's role on the team.
    let (_, team) = get_json(&app, &format!("/v1/projects/{p}/members")).await;
    let b = team["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["employee_id"] == "B")
        .unwrap();
    assert_eq!(
        (b["role"].as_str(), &b["backup_for"]),
        (Some("key_user"), &Value::Null)
    );
    let events = published(&app).await;
    assert_eq!(
        kinds(&events),
        ["handover.opened", "handover.successor_assigned"]
    );

    let id = h["handover_id"].as_str().unwrap();
    let complete = format!("/v1/handovers/{id}/complete");
    let (status, body) = problem(post(&app, Role::Manager, &complete, None).await).await;
    assert_eq!(status, 409);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("training, acknowledgments"),
        "{body}"
    );

    progressed(&app, id, "training", 3, 3).await;
    let h = only_handover(&app, &p).await;
    assert_eq!(h["status"], "in_progress");
    assert_eq!(
        h["training"],
        json!({"done": 3, "required": 3, "complete": true})
    );
    progressed(&app, id, "acknowledgments", 1, 2).await;
    assert_eq!(
        problem(post(&app, Role::Manager, &complete, None).await)
            .await
            .0,
        409
    );
    progressed(&app, id, "acknowledgments", 2, 2).await;
    // The CRM may close a handover whose parts are done.
    let res = post(&app, Role::Integration, &complete, None).await;
    assert_eq!(res.status(), 200);
    let done: Value = res.json().await.unwrap();
    assert_eq!(
        (done["status"].as_str(), done["forced"].as_bool()),
        (Some("completed"), Some(false))
    );
    let events = published(&app).await;
    let completed = events
        .iter()
        .rev()
        .find(|(t, _)| t == "handover.completed")
        .unwrap();
    assert_eq!(completed.1["data"]["forced"], false);
    assert_eq!(
        problem(post(&app, Role::Manager, &complete, None).await)
            .await
            .0,
        409,
        "once only"
    );
    let (_, trail) = get_json(&app, &format!("/v1/audit?entity=handover&id={id}")).await;
    let statuses: Vec<_> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["new"]["status"].clone())
        .collect();
    // Newest first: completed, the three reports, assigned, opened.
    assert_eq!(statuses.first(), Some(&json!("completed")), "{trail}");
    assert_eq!(statuses.last(), Some(&json!("open")), "{trail}");
}

#[actix_web::test]
async fn only_a_manager_forces_completion_and_only_with_a_reason() {
    let app = spawn_hr(&[]).await;
    let p = team(&app).await;
    resign(&app, "A", "2020-01-01", "2027-01-31").await;
    let id = only_handover(&app, &p).await["handover_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let complete = format!("/v1/handovers/{id}/complete");
    let forced = json!({"force": true, "reason": "Handed over in person"});
    assert_eq!(
        problem(post(&app, Role::Integration, &complete, Some(forced.clone())).await)
            .await
            .0,
        403
    );
    let (status, body) =
        problem(post(&app, Role::Manager, &complete, Some(json!({"force": true}))).await).await;
    assert_eq!(
        (status, &body["errors"][0]["field"]),
        (422, &json!("reason"))
    );
    let res = post(&app, Role::Manager, &complete, Some(forced)).await;
    assert_eq!(res.status(), 200);
    let done: Value = res.json().await.unwrap();
    assert_eq!(
        (done["forced"].as_bool(), done["closing_reason"].as_str()),
        (Some(true), Some("Handed over in person"))
    );
}

#[actix_web::test]
async fn without_a_backup_a_manager_assigns_the_successor_and_a_rescinded_resignation_cancels() {
    let app = spawn_hr(&[]).await;
    let p = team(&app).await;
    // C has no backup: B, an effective sales member, is proposed but not assigned.
    resign(&app, "C", "2020-01-01", "2026-12-01").await;
    let h = only_handover(&app, &p).await;
    assert_eq!(h["status"], "open");
    assert_eq!(h["successor"]["proposal"], "same_department");
    assert_eq!(h["successor"]["assigned_employee_id"], Value::Null);
    // Six days' notice: the successor gets 14 days from today instead.
    assert_eq!(h["due_date"], "2026-12-12");
    assert!(["A", "B"].contains(&h["successor"]["proposed_employee_id"].as_str().unwrap()));
    let id = h["handover_id"].as_str().unwrap().to_owned();
    let successor = format!("/v1/handovers/{id}/successor");
    let (status, body) = problem(
        post(
            &app,
            Role::Manager,
            &successor,
            Some(json!({"employee_id": "C"})),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, &body["errors"][0]["field"]),
        (422, &json!("employee_id")),
        "the leaver"
    );
    assert_eq!(
        problem(
            post(
                &app,
                Role::Manager,
                &successor,
                Some(json!({"employee_id": "Z"}))
            )
            .await
        )
        .await
        .0,
        422
    );
    assert_eq!(
        problem(
            post(
                &app,
                Role::Integration,
                &successor,
                Some(json!({"employee_id": "A"}))
            )
            .await
        )
        .await
        .0,
        403
    );
    hire(&app, "D", "sales", "2019-01-01").await;
    let res = post(
        &app,
        Role::Manager,
        &successor,
        Some(json!({"employee_id": "D"})),
    )
    .await;
    assert_eq!(res.status(), 200);
    let (_, team) = get_json(&app, &format!("/v1/projects/{p}/members")).await;
    assert!(
        team["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["employee_id"] == "D"),
        "D joins the team"
    );

    // C stays after all: the handover is cancelled, and says why.
    let res = put_employee(
        &app,
        "C",
        json!({"name": "Person C", "department_code": "sales", "hire_date": "2020-01-01"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let h = only_handover(&app, &p).await;
    assert_eq!(h["status"], "cancelled");
    assert_eq!(h["closing_reason"], "resignation rescinded");
    let events = published(&app).await;
    assert_eq!(
        kinds(&events),
        [
            "handover.opened",
            "handover.successor_assigned",
            "handover.cancelled"
        ]
    );
    assert_eq!(
        problem(
            post(
                &app,
                Role::Manager,
                &successor,
                Some(json!({"employee_id": "A"}))
            )
            .await
        )
        .await
        .0,
        409
    );
    let (_, cancelled) = get_json(&app, "/v1/handovers?status=cancelled").await;
    assert_eq!(cancelled["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn the_successor_hr_names_is_assigned_and_off_the_team_the_most_trained_colleague_is_proposed()
 {
    let app = spawn_hr(&[]).await;
    let p = team(&app).await;
    hire(&app, "H", "sales", "2018-01-01").await;
    let resigned = json!({"type": "employee.resigned", "data": {"employee_id": "A",
        "notice_date": "2026-11-28", "last_working_day": "2027-02-28", "successor_employee_id": "H"}});
    assert_eq!(send(&app, "hr-1", &resigned).await.status(), 202);
    let h = only_handover(&app, &p).await;
    assert_eq!(
        (
            h["successor"]["proposal"].as_str(),
            h["successor"]["assigned_employee_id"].as_str()
        ),
        (Some("named_by_hr"), Some("H"))
    );

    // A second project where nobody else from sales is on the team.
    hire(&app, "T", "sales", "2022-01-01").await;
    let q = project(&app).await;
    put_member(&app, &q, "B", json!({"role": "key_user"})).await;
    let training = json!({"specversion": "1.0", "id": "tp-1", "source": "training-record",
        "type": "training.progressed", "time": "2026-11-28T03:00:00Z",
        "data": {"project_id": q, "employee_id": "T", "sessions_done": 4, "sessions_required": 6}});
    assert_eq!(
        post(&app, Role::Service, "/v1/events", Some(training))
            .await
            .status(),
        200
    );
    resign(&app, "B", "2020-01-01", "2027-02-28").await;
    let on_q = handovers_of(&app, &q).await;
    assert_eq!(on_q.len(), 1);
    assert_eq!(on_q[0]["successor"]["proposal"], "most_trained");
    assert_eq!(on_q[0]["successor"]["proposed_employee_id"], "T");
    assert_eq!(
        on_q[0]["status"], "open",
        "a manager confirms a colleague from outside"
    );
}
