//! A successor named by a handover: exactly the pending set of the department's current
//! notices, progress reported to staffing, and nothing more after a cancellation.

use continuity_contract::{EmployeeId, HandoverId};
use continuity_shared::auth::Role;
use continuity_shared::testing::TestApp;
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::*;

async fn assigned(app: &TestApp, handover: &str, dept: &str, successor: &str) {
    event(
        app,
        "handover.successor_assigned",
        json!({"handover_id": handover, "project_id": uuid::Uuid::now_v7().to_string(),
        "department_code": dept, "successor_employee_id": successor, "due_date": "2026-12-20"}),
    )
    .await;
}

/// What was last reported for the handover: (done, required).
async fn reported(app: &TestApp, successor: &str) -> Vec<(String, Option<(u32, u32)>)> {
    let e = EmployeeId::parse(successor).unwrap();
    app.db
        .read(move |c| process_change::db::handovers::active_of(c, &e))
        .await
        .unwrap()
        .into_iter()
        .map(|t: process_change::db::handovers::Tracked| (t.handover_id.to_string(), t.reported))
        .collect()
}

async fn progressed_events(app: &TestApp) -> usize {
    let (_, outbox) = json_of(
        send(
            app,
            Role::Admin,
            Method::GET,
            "/v1/admin/outbox?limit=500",
            None,
        )
        .await,
    )
    .await;
    // One row per subscriber: count the events.
    let mut ids: Vec<_> = outbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["event_type"] == "handover.progressed")
        .map(|i| i["event_id"].clone())
        .collect();
    ids.sort_by_key(|v| v.to_string());
    ids.dedup();
    ids.len()
}

#[actix_web::test]
async fn a_successor_gets_exactly_the_current_notices_of_the_department_and_a_repeat_adds_nothing()
{
    let app = spawn().await;
    staff(&app, "sales", "S", 2).await;
    staff(&app, "it", "I", 1).await;
    let p = project(&app).await;
    let (_, superseded) = published(&app, &p, "Quote", &["sales"]).await;
    let (_, current) = published(&app, &p, "Quote", &["sales"]).await;
    let (_, other) = published(&app, &p, "Deploy", &["it"]).await;
    let (_, second) = published(&app, &p, "Invoice", &["sales", "it"]).await;
    let h = HandoverId::new().to_string();
    // The successor comes from IT: asked for sales' current notices besides its own.
    assigned(&app, &h, "sales", "I0").await;
    let mut pending = pending_of(&app, "I0").await;
    pending.sort();
    let mut want = vec![current.clone(), other.clone(), second.clone()];
    want.sort();
    assert_eq!(pending, want);
    assert!(!pending.contains(&superseded));
    assert_eq!(reported(&app, "I0").await, [(h.clone(), Some((0, 2)))]);
    let events = progressed_events(&app).await;
    assert_eq!(events, 1);

    assigned(&app, &h, "sales", "I0").await;
    assert_eq!(
        pending_of(&app, "I0").await.len(),
        3,
        "a repeat adds nothing"
    );
    assert_eq!(progressed_events(&app).await, events, "nor reports again");

    for n in [&current, &second] {
        send(
            &app,
            Role::Integration,
            Method::POST,
            &format!("/v1/notices/{n}/acknowledgments"),
            Some(json!({"employee_id": "I0"})),
        )
        .await;
    }
    assert_eq!(reported(&app, "I0").await, [(h.clone(), Some((2, 2)))]);
    assert_eq!(
        progressed_events(&app).await,
        events + 2,
        "one report per change"
    );

    // A new notice for sales reaches the successor and is reported; a cancellation stops it.
    published(&app, &p, "Ship", &["sales"]).await;
    assert_eq!(reported(&app, "I0").await, [(h.clone(), Some((2, 3)))]);
    event(
        &app,
        "handover.cancelled",
        json!({"handover_id": h, "project_id": p, "reason": "stays"}),
    )
    .await;
    assert!(reported(&app, "I0").await.is_empty());
    let before = progressed_events(&app).await;
    published(&app, &p, "Return", &["sales"]).await;
    assert_eq!(progressed_events(&app).await, before);
    assigned(&app, &h, "sales", "I0").await;
    assert!(
        reported(&app, "I0").await.is_empty(),
        "a cancelled handover stays stopped"
    );
}

#[actix_web::test]
async fn a_successor_of_a_department_without_notices_is_reported_0_of_0_at_once() {
    let app = spawn().await;
    staff(&app, "quality", "Q", 1).await;
    let h = Uuid::now_v7().to_string();
    assigned(&app, &h, "quality", "Q0").await;
    assert_eq!(reported(&app, "Q0").await, [(h, Some((0, 0)))]);
    assert_eq!(progressed_events(&app).await, 1);
}
