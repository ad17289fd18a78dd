//! Two replicas on one database: each keeps its own copy of a project's curriculum, and
//! neither serves a plan from a copy older than a change committed through the other.

use continuity_shared::auth::Role;
use continuity_shared::testing::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

async fn plan(app: &TestApp, employee: &str) -> Value {
    let (status, body) = get_json(app, &format!("/v1/projects/{P1}/catch-up/{employee}")).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// (title, minutes left) of each item of the plan.
async fn left(app: &TestApp, employee: &str) -> Vec<(String, u64)> {
    plan(app, employee).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["title"].as_str().unwrap().to_owned(),
                i["minutes_left"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn items(list: &[(&str, u64)]) -> Vec<(String, u64)> {
    list.iter().map(|(t, m)| (t.to_string(), *m)).collect()
}

#[actix_web::test]
async fn a_replica_serves_the_plan_of_a_session_added_through_another_right_after() {
    let a = spawn().await;
    let b = spawn_replica(&a).await;
    create_session(&a, &session_body("First", "2026-11-02", &["sales"])).await;
    // B reads (and keeps) the curriculum of one session, then A adds another.
    assert_eq!(left(&b, "E1").await, items(&[("First", 60)]));
    create_session(&a, &session_body("Second", "2026-11-03", &["sales"])).await;
    assert_eq!(
        left(&b, "E1").await,
        items(&[("First", 60), ("Second", 60)])
    );
    // And the other way round.
    create_session(&b, &session_body("Third", "2026-11-04", &["sales"])).await;
    assert_eq!(
        left(&a, "E1").await,
        items(&[("First", 60), ("Second", 60), ("Third", 60)])
    );
}

#[actix_web::test]
async fn a_replica_sees_a_recording_added_and_an_audience_changed_through_another() {
    let a = spawn().await;
    let b = spawn_replica(&a).await;
    let s = create_session(&a, &session_body("Leads", "2026-11-02", &["sales"])).await;
    let first = add_video_link(&a, &id_of(&s), 3600).await;
    let (status, _) = report(
        &a,
        &first,
        "E1",
        json!({"played": [{"start": 0, "end": 3600}]}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        left(&b, "E1").await,
        items(&[]),
        "watched its one recording"
    );

    // A second recording: the session is half done until it is watched too.
    add_video_link(&a, &id_of(&s), 3600).await;
    assert_eq!(left(&b, "E1").await, items(&[("Leads", 30)]));

    // The session moves to IT: no longer on a sales plan, now on an IT one.
    assert_eq!(left(&b, "E3").await, items(&[]));
    let res = a
        .as_role(
            Role::Trainer,
            Method::PATCH,
            &format!("/v1/training-sessions/{}", id_of(&s)),
        )
        .header("if-match", "\"1\"")
        .json(&json!({"departments": ["it"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(plan(&b, "E1").await["sessions_required"], 0);
    assert_eq!(left(&b, "E3").await, items(&[("Leads", 60)]));
}
