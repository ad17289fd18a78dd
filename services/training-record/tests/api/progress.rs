use continuity_shared::auth::Role;
use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn a_jump_to_the_end_or_a_repeated_minute_does_not_count_and_the_threshold_completes() {
    let app = spawn().await;
    let s = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    let video = add_video_link(&app, &id_of(&s), 600).await;

    // Skipping to the end: only the seconds played count.
    let (status, p) = report(&app, &video, "E2",
        json!({"position_seconds": 600, "played": [{"start": 0, "end": 5}, {"start": 595, "end": 600}]})).await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(
        (p["watched_seconds"].as_f64(), p["done"].as_bool()),
        (Some(10.0), Some(false))
    );
    // A single report of a high position is not watching.
    let (_, p) = report(&app, &video, "E2", json!({"position_seconds": 599})).await;
    assert_eq!(p["watched_seconds"], 10.0);
    // The same minute twice, and an interval past the end capped.
    for _ in 0..2 {
        report(
            &app,
            &video,
            "E2",
            json!({"played": [{"start": 60, "end": 120}]}),
        )
        .await;
    }
    let (_, p) = report(
        &app,
        &video,
        "E2",
        json!({"played": [{"start": 590, "end": 9000}]}),
    )
    .await;
    assert_eq!(p["watched_seconds"], 75.0);
    assert_eq!(
        p["watched"],
        json!([{"start": 0.0, "end": 5.0}, {"start": 60.0, "end": 120.0}, {"start": 590.0, "end": 600.0}])
    );

    // 90% of 600 s is 540 s.
    let (_, p) = report(
        &app,
        &video,
        "E2",
        json!({"played": [{"start": 0, "end": 529}]}),
    )
    .await;
    assert_eq!(
        (p["watched_seconds"].as_f64(), p["done"].as_bool()),
        (Some(539.0), Some(false))
    );
    let (_, p) = report(
        &app,
        &video,
        "E2",
        json!({"played": [{"start": 529, "end": 530}]}),
    )
    .await;
    assert_eq!(p["done"], true);
    let (_, trail) = get_json(
        &app,
        &format!("/v1/audit?entity=material_progress&id={video}/E2"),
    )
    .await;
    assert_eq!(trail["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn bad_reports_are_refused_and_a_document_is_done_when_read() {
    let app = spawn().await;
    let s = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    let video = add_video_link(&app, &id_of(&s), 600).await;
    for bad in [
        json!({"played": [{"start": -1, "end": 3}]}),
        json!({"played": [{"start": 9, "end": 3}]}),
        json!({"position_seconds": -5}),
        json!({"read": false}),
        json!({"read": true, "played": [{"start": 0, "end": 3}]}),
        json!({"played": [{"start": 0}]}),
        json!({"played": "all"}),
    ] {
        let (status, body) = report(&app, &video, "E2", bad.clone()).await;
        assert_eq!(status, 422, "{bad} {body}");
    }
    let (status, _) = report(&app, "not-a-uuid", "E2", json!({"read": true})).await;
    assert_eq!(status, 422);
    let (status, _) = report(
        &app,
        "01938a7e-4c1b-7d2e-9f00-0000000000aa",
        "E2",
        json!({"read": true}),
    )
    .await;
    assert_eq!(status, 404);

    let res = app
        .as_role(
            Role::Trainer,
            Method::POST,
            &format!("/v1/training-sessions/{}/materials", id_of(&s)),
        )
        .json(&json!({"url": "https://docs.example.com/slides.pdf", "kind": "slides"}))
        .send()
        .await
        .unwrap();
    let slides: serde_json::Value = res.json().await.unwrap();
    let slides = slides["material_id"].as_str().unwrap();
    let (status, _) = report(
        &app,
        slides,
        "E2",
        json!({"played": [{"start": 0, "end": 3}]}),
    )
    .await;
    assert_eq!(status, 422);
    let (status, p) = report(&app, slides, "E2", json!({"read": true})).await;
    assert_eq!(
        (status, p["done"].as_bool(), p["share"].as_f64()),
        (200, Some(true), Some(1.0))
    );
}

#[actix_web::test]
async fn a_member_reports_only_their_own_progress_and_the_integration_token_anyones() {
    let app = spawn().await;
    let s = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    let video = add_video_link(&app, &id_of(&s), 600).await;
    let body = json!({"played": [{"start": 0, "end": 30}]});
    let own = as_member_e1(
        &app,
        Method::PUT,
        &format!("/v1/materials/{video}/progress/E1"),
    )
    .json(&body)
    .send()
    .await
    .unwrap();
    assert_eq!(own.status(), 200);
    let other = as_member_e1(
        &app,
        Method::PUT,
        &format!("/v1/materials/{video}/progress/E2"),
    )
    .json(&body)
    .send()
    .await
    .unwrap();
    assert_eq!(problem(other).await.0, 403);
    let trainer = app
        .as_role(
            Role::Trainer,
            Method::PUT,
            &format!("/v1/materials/{video}/progress/E2"),
        )
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(trainer).await.0, 403);
    assert_eq!(report(&app, &video, "E2", body).await.0, 200);
}

#[actix_web::test]
async fn concurrent_reports_of_one_person_on_one_recording_all_count_and_complete_it_once() {
    let app = spawn().await;
    let s = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    let video = add_video_link(&app, &id_of(&s), 600).await;

    // Sixty players of one person at once, each a different ten seconds: on PostgreSQL
    // each reads, merges and writes the same row, so a write that did not check what it
    // read would drop another's interval.
    let reports = (0..60).map(|i| {
        let (app, video) = (&app, &video);
        async move {
            report(
                app,
                video,
                "E2",
                json!({"played": [{"start": i * 10, "end": i * 10 + 10}]}),
            )
            .await
        }
    });
    for (status, body) in futures_util::future::join_all(reports).await {
        assert_eq!(status, 200, "{body}");
    }

    let (_, p) = report(&app, &video, "E2", json!({"played": []})).await;
    assert_eq!(
        (p["watched_seconds"].as_f64(), p["done"].as_bool()),
        (Some(600.0), Some(true)),
        "{p}"
    );
    assert_eq!(p["watched"], json!([{"start": 0.0, "end": 600.0}]));
    let (_, trail) = get_json(
        &app,
        &format!("/v1/audit?entity=material_progress&id={video}/E2"),
    )
    .await;
    assert_eq!(trail["items"].as_array().unwrap().len(), 1, "{trail}");
    // Published once with the session done (the session's creation published 0 of 1).
    let done: Vec<_> = published_of(&app, "training.progressed")
        .await
        .into_iter()
        .filter(|d| d["employee_id"] == "E2" && d["sessions_done"] == 1)
        .collect();
    assert_eq!(done.len(), 1, "{done:?}");
}
