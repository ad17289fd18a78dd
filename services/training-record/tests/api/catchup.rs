use std::time::Duration;

use continuity_shared::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

const H1: &str = "01938a7e-4c1b-7d2e-9f00-0000000000b1";

async fn plan(app: &continuity_shared::testing::TestApp, employee: &str) -> Value {
    let (status, body) = get_json(app, &format!("/v1/projects/{P1}/catch-up/{employee}")).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn titles(plan: &Value) -> Vec<String> {
    plan["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect()
}

fn assigned(successor: &str, due: &str) -> Value {
    staffing_event(
        &format!("assign-{successor}-{due}"),
        "handover.successor_assigned",
        json!({"handover_id": H1, "project_id": P1, "department_code": "sales",
               "successor_employee_id": successor, "due_date": due}),
    )
}

#[actix_web::test]
async fn the_plan_lists_required_sessions_of_the_department_not_attended_nor_watched_oldest_first()
{
    let app = spawn().await;
    let newer = create_session(&app, &session_body("Newer", "2026-11-05", &["sales", "it"])).await;
    let older = create_session(&app, &session_body("Older", "2026-11-02", &["sales"])).await;
    let mut optional = session_body("Optional", "2026-11-01", &["sales"]);
    optional["required"] = json!(false);
    create_session(&app, &optional).await;
    let watched = create_session(&app, &session_body("Watched", "2026-11-03", &["sales"])).await;
    let it_only = create_session(&app, &session_body("IT only", "2026-11-04", &["it"])).await;
    let _ = it_only;

    let p = plan(&app, "E1").await;
    assert_eq!(titles(&p), ["Older", "Watched", "Newer"]);
    // Every field of an item, as the session was recorded.
    assert_eq!(
        p["items"][0],
        json!({"session_id": id_of(&older), "title": "Older", "module": "leads",
               "held_on": "2026-11-02", "duration_minutes": 60, "minutes_left": 60,
               "share_done": 0.0})
    );
    assert_eq!(
        (p["sessions_done"].as_u64(), p["sessions_required"].as_u64()),
        (Some(0), Some(3))
    );
    assert_eq!(titles(&plan(&app, "E3").await), ["IT only", "Newer"]);

    // Attended, fully watched, half watched.
    assert_eq!(attend(&app, &id_of(&older), "E1", true).await, 200);
    let v = add_video_link(&app, &id_of(&watched), 3600).await;
    report(
        &app,
        &v,
        "E1",
        json!({"played": [{"start": 0, "end": 3600}]}),
    )
    .await;
    let half = add_video_link(&app, &id_of(&newer), 3600).await;
    report(
        &app,
        &half,
        "E1",
        json!({"played": [{"start": 0, "end": 1800}]}),
    )
    .await;
    let p = plan(&app, "E1").await;
    assert_eq!(titles(&p), ["Newer"]);
    assert_eq!(
        (
            p["items"][0]["share_done"].as_f64(),
            p["items"][0]["minutes_left"].as_u64()
        ),
        (Some(0.5), Some(30))
    );
    assert_eq!(p["minutes_left"], 30);
    assert!(p["due_date"].is_null());

    // training.progressed on each change of E1's counts, not on a partial watch.
    let e1: Vec<(u64, u64)> = published_of(&app, "training.progressed")
        .await
        .iter()
        .filter(|d| d["employee_id"] == "E1")
        .map(|d| {
            (
                d["sessions_done"].as_u64().unwrap(),
                d["sessions_required"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(e1, [(0, 1), (0, 2), (0, 3), (1, 3), (2, 3)]);

    // Unknown person, unknown project, and a member reading someone else's plan.
    assert_eq!(
        get_json(&app, &format!("/v1/projects/{P1}/catch-up/NOBODY"))
            .await
            .0,
        404
    );
    assert_eq!(
        get_json(&app, &format!("/v1/projects/{P_UNKNOWN}/catch-up/E1"))
            .await
            .0,
        404
    );
    let res = as_member_e1(&app, Method::GET, &format!("/v1/projects/{P1}/catch-up/E2"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 403);
    let res = as_member_e1(&app, Method::GET, &format!("/v1/projects/{P1}/catch-up/E1"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[actix_web::test]
async fn a_successor_gets_a_plan_reported_at_once_and_on_every_change_until_cancelled() {
    let app = spawn().await;
    let a = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    let b = create_session(&app, &session_body("B", "2026-11-03", &["sales"])).await;
    deliver(&app, &assigned("E2", "2026-12-20")).await;
    let p = plan(&app, "E2").await;
    assert_eq!(
        (p["due_date"].as_str(), p["handover_id"].as_str()),
        (Some("2026-12-20"), Some(H1))
    );
    let progress = |app| async move {
        published_of(app, "handover.progressed")
            .await
            .iter()
            .map(|d| {
                assert_eq!(d["part"], "training");
                (d["done"].as_u64().unwrap(), d["required"].as_u64().unwrap())
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(progress(&app).await, [(0, 2)]);
    attend(&app, &id_of(&a), "E2", true).await;
    attend(&app, &id_of(&a), "E2", true).await; // no change, no report
    assert_eq!(progress(&app).await, [(0, 2), (1, 2)]);
    let bulk = app
        .as_role(Role::Trainer, Method::PUT, &format!("/v1/training-sessions/{}/attendance", id_of(&b)))
        .json(&json!({"items": [{"employee_id": "E2", "attended": true}, {"employee_id": "E1", "attended": false}]}))
        .send().await.unwrap();
    assert_eq!(bulk.json::<Value>().await.unwrap()["changed"], 2);
    assert_eq!(progress(&app).await, [(0, 2), (1, 2), (2, 2)]);

    deliver(
        &app,
        &staffing_event(
            "cancel-1",
            "handover.cancelled",
            json!({"handover_id": H1, "project_id": P1, "reason": "stays"}),
        ),
    )
    .await;
    attend(&app, &id_of(&a), "E2", false).await;
    assert_eq!(progress(&app).await.len(), 3);
    let (_, trail) = get_json(&app, &format!("/v1/audit?entity=catchup_plan&id={H1}")).await;
    assert_eq!(trail["items"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn nothing_required_is_reported_as_zero_of_zero_and_a_past_due_date_gets_the_configured_days()
{
    let app = spawn_with(&[("CONTINUITY_TRAINING_RECORD__CATCHUP_DAYS", "10")]).await;
    deliver(&app, &assigned("E3", "2026-11-01")).await;
    let reports = published_of(&app, "handover.progressed").await;
    assert_eq!(
        (reports[0]["done"].as_u64(), reports[0]["required"].as_u64()),
        (Some(0), Some(0))
    );
    // 2026-11-28 in Shanghai plus 10 days.
    assert_eq!(plan(&app, "E3").await["due_date"], "2026-12-08");
}

#[actix_web::test]
async fn the_daily_job_reports_an_overdue_plan_once_when_the_clock_passes_the_due_date() {
    let app = spawn_with(&[("CONTINUITY_SCHEDULER__TICK_SECONDS", "1")]).await;
    create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    deliver(&app, &assigned("E2", "2026-11-30")).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(published_of(&app, "catchup.overdue").await.is_empty());

    // 00:30 on 2026-12-01 in Shanghai: the due date has passed.
    app.clock.set("2026-11-30T16:30:00Z".parse().unwrap());
    let mut overdue = Vec::new();
    for _ in 0..100 {
        overdue = published_of(&app, "catchup.overdue").await;
        if !overdue.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(overdue.len(), 1);
    assert_eq!(
        overdue[0],
        json!({"project_id": P1, "employee_id": "E2", "handover_id": H1,
        "due_date": "2026-11-30", "sessions_left": 1})
    );
    app.clock.advance(chrono::Duration::days(1));
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(published_of(&app, "catchup.overdue").await.len(), 1);
}

#[actix_web::test]
async fn what_someone_did_on_another_project_counts_nowhere_but_there() {
    const P2: &str = "01938a7e-4c1b-7d2e-9f00-000000000002";
    let app = spawn().await;
    let other = staffing_event(
        "other-project",
        "project.upserted",
        json!({"project_id": P2, "name": "ERP", "status": "in_progress", "planned_start": null,
               "planned_go_live": "2027-06-01", "stabilization_months": 3}),
    );
    assert_eq!(deliver(&app, &other).await["applied"], 1);
    let here = create_session(&app, &session_body("Here", "2026-11-02", &["sales"])).await;
    let res = app
        .as_role(
            Role::Trainer,
            Method::POST,
            &format!("/v1/projects/{P2}/training-sessions"),
        )
        .json(&session_body("There", "2026-11-02", &["sales"]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let there: Value = res.json().await.unwrap();
    // E1 does all of the other project's training, none of this one's.
    assert_eq!(attend(&app, &id_of(&there), "E1", true).await, 200);
    let video = add_video_link(&app, &id_of(&there), 600).await;
    let (status, _) = report(
        &app,
        &video,
        "E1",
        json!({"played": [{"start": 0, "end": 600}]}),
    )
    .await;
    assert_eq!(status, 200);

    let p = plan(&app, "E1").await;
    assert_eq!(titles(&p), ["Here"]);
    assert_eq!(
        (p["sessions_done"].as_u64(), p["sessions_required"].as_u64()),
        (Some(0), Some(1))
    );
    let (status, there_plan) = get_json(&app, &format!("/v1/projects/{P2}/catch-up/E1")).await;
    assert_eq!(status, 200, "{there_plan}");
    assert_eq!(
        (
            there_plan["sessions_done"].as_u64(),
            there_plan["sessions_required"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let _ = here;
}
