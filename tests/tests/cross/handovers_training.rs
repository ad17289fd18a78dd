//! The training half of a resignation across the suite: the successor staffing assigns
//! gets a catch-up plan at training-record within seconds, and watching the required
//! recordings moves the handover's training part to done at staffing.

use std::time::Duration;

use serde_json::{Value, json};

use crate::handovers::{HR_SECRET, post, send_hr};
use crate::harness::{ADMIN_TOKEN, Suite, eventually};

async fn send(suite: &Suite, method: reqwest::Method, path: &str, body: Value) -> Value {
    let res = Suite::client()
        .request(method, suite.url("training-record", path))
        .bearer_auth(ADMIN_TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.json().await.unwrap()
}

async fn status(suite: &Suite, path: &str) -> u16 {
    Suite::client()
        .get(suite.url("training-record", path))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[actix_web::test]
async fn the_successor_of_a_resigned_key_user_catches_up_by_watching_and_staffing_sees_training_done()
 {
    let suite = Suite::new();
    let hr = [
        ("CONTINUITY_HR_WEBHOOK_SECRET", HR_SECRET),
        ("CONTINUITY_STAFFING__SEED_KEY_DEPARTMENTS", "true"),
    ];
    let _staffing = suite.start_with("staffing", &hr).await;
    let _training = suite.start("training-record").await;

    for id in ["KU-1", "BK-1"] {
        let body = json!({"name": id, "department_code": "sales", "hire_date": "2020-01-01"});
        let path = format!("/v1/employees/{id}");
        assert_eq!(suite.put("staffing", &path, body).await, Some(201));
    }
    let project = post(
        &suite,
        "/v1/projects",
        json!({"name": "CRM", "status": "in_progress", "planned_go_live": "2027-06-01"}),
    )
    .await;
    let p = project["project_id"].as_str().unwrap().to_owned();
    let members = format!("/v1/projects/{p}/members");
    let ku = json!({"role": "key_user"});
    assert_eq!(
        suite.put("staffing", &format!("{members}/KU-1"), ku).await,
        Some(201)
    );
    let bk = json!({"role": "member", "backup_for": "KU-1"});
    assert_eq!(
        suite.put("staffing", &format!("{members}/BK-1"), bk).await,
        Some(201)
    );

    // The project reaches training-record's roster copy; a recorded session for sales.
    let sessions = format!("/v1/projects/{p}/training-sessions");
    let copied = eventually(Duration::from_secs(5), || async {
        status(&suite, &sessions).await == 200
    })
    .await;
    assert!(copied, "project {p} never reached training-record");
    let session = send(
        &suite,
        reqwest::Method::POST,
        &sessions,
        json!({"title": "Leads and quotes", "module": "leads", "held_on": "2026-11-02",
               "trainer": "Wang", "duration_minutes": 10, "departments": ["sales"]}),
    )
    .await;
    let session_id = session["session_id"].as_str().unwrap();
    let video = send(
        &suite,
        reqwest::Method::POST,
        &format!("/v1/training-sessions/{session_id}/materials"),
        json!({"url": "https://video.example.com/v/42", "kind": "video", "duration_seconds": 600}),
    )
    .await;
    let material = video["material_id"].as_str().unwrap();

    let last_day = (chrono::Utc::now() + chrono::Duration::days(30)).date_naive();
    let resigned = json!({"type": "employee.resigned", "data": {"employee_id": "KU-1",
        "notice_date": chrono::Utc::now().date_naive(), "last_working_day": last_day}});
    assert_eq!(send_hr(&suite, "hr-msg-tr-1", &resigned).await, 202);

    // Within 5 s of the signed resignation, the successor has a plan with a due date.
    let plan_path = format!("/v1/projects/{p}/catch-up/BK-1");
    let planned = eventually(Duration::from_secs(5), || async {
        status(&suite, &plan_path).await == 200
            && !suite.get("training-record", &plan_path).await["handover_id"].is_null()
    })
    .await;
    assert!(planned, "no plan for BK-1");
    let plan = suite.get("training-record", &plan_path).await;
    assert_eq!(plan["items"][0]["session_id"], session_id);
    assert!(plan["due_date"].is_string());
    let handover_id = plan["handover_id"].as_str().unwrap().to_owned();
    let handover_path = format!("/v1/handovers/{handover_id}");
    let reported = eventually(Duration::from_secs(5), || async {
        suite.get("staffing", &handover_path).await["training"]["required"] == 1
    })
    .await;
    assert!(reported, "{}", suite.get("staffing", &handover_path).await);
    assert_eq!(
        suite.get("staffing", &handover_path).await["training"]["complete"],
        false
    );

    // Watching the recording moves the training part to done at staffing.
    send(
        &suite,
        reqwest::Method::PUT,
        &format!("/v1/materials/{material}/progress/BK-1"),
        json!({"position_seconds": 600, "played": [{"start": 0, "end": 600}]}),
    )
    .await;
    let done = eventually(Duration::from_secs(5), || async {
        suite.get("staffing", &handover_path).await["training"]["complete"] == true
    })
    .await;
    assert!(done, "{}", suite.get("staffing", &handover_path).await);
    assert!(
        suite.get("training-record", &plan_path).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}
