//! Acknowledging: who may, repeats, who has and has not, and the overdue reminder.

use chrono::{Duration, TimeZone, Utc};
use continuity_shared::auth::Role;
use continuity_shared::clock::{Clock, DEFAULT_TIME_ZONE};
use continuity_shared::testing::{MEMBER_E1, TestApp};
use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn a_member_acknowledges_for_itself_the_crm_for_anyone_and_a_repeat_changes_nothing() {
    let app = spawn().await;
    staff(&app, "sales", "E", 3).await; // E0, E1, E2
    let (_, n) = published(&app, &project(&app).await, "Quote", &["sales"]).await;
    let path = format!("/v1/notices/{n}/acknowledgments");
    let as_member = |who: &str| {
        app.client
            .post(app.url(&path))
            .bearer_auth(MEMBER_E1)
            .json(&json!({"employee_id": who}))
            .send()
    };
    assert_eq!(problem(as_member("E2").await.unwrap()).await.0, 403);
    let (code, body) = json_of(as_member("E1").await.unwrap()).await;
    assert_eq!(code, 201, "{body}");
    assert_eq!(body["status"], "acknowledged");
    let (code, again) = json_of(as_member("E1").await.unwrap()).await;
    assert_eq!(code, 200);
    assert_eq!(again["acknowledged_at"], body["acknowledged_at"]);
    for role in [
        Role::Manager,
        Role::Documenter,
        Role::Trainer,
        Role::Service,
    ] {
        let res = send(
            &app,
            role,
            Method::POST,
            &path,
            Some(json!({"employee_id": "E2"})),
        )
        .await;
        assert_eq!(problem(res).await.0, 403, "{role:?}");
    }
    let res = send(
        &app,
        Role::Integration,
        Method::POST,
        &path,
        Some(json!({"employee_id": "E2"})),
    )
    .await;
    assert_eq!(res.status(), 201);
    let res = send(
        &app,
        Role::Integration,
        Method::POST,
        &path,
        Some(json!({"employee_id": "NOBODY"})),
    )
    .await;
    assert_eq!(problem(res).await.0, 404);
    let res = send(
        &app,
        Role::Integration,
        Method::POST,
        &path,
        Some(json!({"employee_id": "no/slash"})),
    )
    .await;
    assert_eq!(problem(res).await.0, 422);

    let (_, list) = json_of(send(&app, Role::Manager, Method::GET, &path, None).await).await;
    let sales = &list["departments"][0];
    assert_eq!(sales["department_code"], "sales");
    assert_eq!(sales["acknowledged"].as_array().unwrap().len(), 2);
    assert_eq!(sales["pending"][0]["employee_id"], "E0");
    let csv = app
        .as_role(Role::Manager, Method::GET, &path)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<_> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "department_code,employee_id,status,acknowledged_at,acknowledged_by"
    );
    assert!(lines[1].starts_with("sales,E0,pending,,"));
    assert_eq!(lines.len(), 4);

    // A member reads only its own pending list.
    let own = app
        .client
        .get(app.url("/v1/employees/E1/pending-acknowledgments"))
        .bearer_auth(MEMBER_E1)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    let other = app
        .client
        .get(app.url("/v1/employees/E0/pending-acknowledgments"))
        .bearer_auth(MEMBER_E1)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(other).await.0, 403);
    assert_eq!(pending_of(&app, "E0").await, std::slice::from_ref(&n));
    assert!(pending_of(&app, "E1").await.is_empty());
}

#[actix_web::test]
async fn acknowledging_a_draft_notice_or_after_leaving_is_409() {
    let app = spawn().await;
    staff(&app, "sales", "E", 2).await;
    let p = project(&app).await;
    let c = record(&app, &p, "Quote", &["sales"]).await;
    approve(&app, &c).await;
    let draft = notice(&app, &p, &[&c]).await;
    let res = send(
        &app,
        Role::Integration,
        Method::POST,
        &format!("/v1/notices/{draft}/acknowledgments"),
        Some(json!({"employee_id": "E0"})),
    )
    .await;
    assert_eq!(problem(res).await.0, 409);
    publish(&app, &draft).await;
    employee(&app, "E0", "sales", "left").await;
    let res = send(
        &app,
        Role::Integration,
        Method::POST,
        &format!("/v1/notices/{draft}/acknowledgments"),
        Some(json!({"employee_id": "E0"})),
    )
    .await;
    assert_eq!(problem(res).await.0, 409);
}

#[actix_web::test]
async fn pending_acknowledgments_are_reported_overdue_once_after_the_configured_days() {
    let start = Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap();
    let clock = Clock::manual(start, DEFAULT_TIME_ZONE);
    let mut env = PEERS_NOT_THERE.to_vec();
    env.push((
        "CONTINUITY_PROCESS_CHANGE__ACKNOWLEDGMENT_OVERDUE_DAYS",
        "3",
    ));
    let app = TestApp::spawn_with_clock(&process_change::SERVICE, &env, clock.clone()).await;
    staff(&app, "sales", "E", 2).await;
    let (_, n) = published(&app, &project(&app).await, "Quote", &["sales"]).await;
    send(
        &app,
        Role::Integration,
        Method::POST,
        &format!("/v1/notices/{n}/acknowledgments"),
        Some(json!({"employee_id": "E0"})),
    )
    .await;
    let remind = |days: i64| {
        let now = start + Duration::days(days);
        let today = clock.local(now).date_naive();
        process_change::service::overdue::remind(&app.db, today, 3, now)
    };
    assert_eq!(remind(2).await.unwrap(), 0);
    assert_eq!(remind(3).await.unwrap(), 1, "E1 only: E0 acknowledged");
    assert_eq!(remind(4).await.unwrap(), 0, "once each");
    let (_, outbox) = json_of(
        send(
            &app,
            Role::Admin,
            Method::GET,
            "/v1/admin/outbox?limit=500",
            None,
        )
        .await,
    )
    .await;
    let overdue: Vec<_> = outbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["event_type"] == "acknowledgment.overdue")
        .map(|i| i["subject"].clone())
        .collect();
    assert!(!overdue.is_empty());
    assert!(
        overdue
            .iter()
            .all(|s| *s == json!(format!("acknowledgment/{n}/E1")))
    );
}
