//! The process-change half of the resignation flow: the successor named by the handover
//! is asked to acknowledge the department's current notices within seconds of the signed
//! resignation, and acknowledging them completes the handover's acknowledgment part at
//! staffing.

use std::time::Duration;

use serde_json::{Value, json};

use crate::handovers::{HR_SECRET, post, send_hr};
use crate::harness::{ADMIN_TOKEN, Suite, eventually};

/// POST to process-change as admin; the answer's status and body.
pub async fn pc_post(suite: &Suite, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = Suite::client()
        .post(suite.url("process-change", path))
        .bearer_auth(ADMIN_TOKEN);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[actix_web::test]
async fn the_successor_is_asked_to_acknowledge_within_seconds_and_acknowledging_completes_the_part()
{
    let suite = Suite::new();
    let hr = [
        ("CONTINUITY_HR_WEBHOOK_SECRET", HR_SECRET),
        ("CONTINUITY_STAFFING__SEED_KEY_DEPARTMENTS", "true"),
    ];
    let _staffing = suite.start_with("staffing", &hr).await;
    let _process = suite.start("process-change").await;

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
    let p = project["project_id"].as_str().unwrap();
    let members = format!("/v1/projects/{p}/members");
    let key_user = json!({"role": "key_user"});
    assert_eq!(
        suite
            .put("staffing", &format!("{members}/KU-1"), key_user)
            .await,
        Some(201)
    );
    let backup = json!({"role": "member", "backup_for": "KU-1"});
    assert_eq!(
        suite
            .put("staffing", &format!("{members}/BK-1"), backup)
            .await,
        Some(201)
    );

    // Process-change's copy of sales, then a published notice for sales.
    let copied = eventually(Duration::from_secs(10), || async {
        let page = suite
            .get("process-change", "/v1/roster/employees?department=sales")
            .await;
        let projects = suite.get("process-change", "/v1/roster/projects").await;
        let has_project = projects["items"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["project_id"] == p));
        page["items"].as_array().map(|a| a.len()) == Some(2) && has_project
    })
    .await;
    assert!(
        copied,
        "the roster copy has the two sales people and the project"
    );
    let change = json!({"process": "Order to cash", "step": "Approve discount",
        "before": "Signed on paper by the key user", "after": "Approved in the CRM",
        "reason": "The key user leaves", "departments": ["sales"], "effective_date": "2026-12-01"});
    let (code, c) = pc_post(
        &suite,
        &format!("/v1/projects/{p}/process-changes"),
        Some(change),
    )
    .await;
    assert_eq!(code, 201, "{c}");
    let c = c["change_id"].as_str().unwrap().to_owned();
    assert_eq!(
        pc_post(&suite, &format!("/v1/process-changes/{c}/approve"), None)
            .await
            .0,
        200
    );
    let (code, n) = pc_post(
        &suite,
        &format!("/v1/projects/{p}/notices"),
        Some(json!({"title": "Discounts in the CRM", "change_ids": [c]})),
    )
    .await;
    assert_eq!(code, 201, "{n}");
    let n = n["notice_id"].as_str().unwrap().to_owned();
    assert_eq!(
        pc_post(&suite, &format!("/v1/notices/{n}/publish"), None)
            .await
            .0,
        200
    );

    let last_day = (chrono::Utc::now() + chrono::Duration::days(30)).date_naive();
    let resigned = json!({"type": "employee.resigned", "data": {"employee_id": "KU-1",
        "notice_date": chrono::Utc::now().date_naive(), "last_working_day": last_day}});
    assert_eq!(send_hr(&suite, "hr-msg-ack-1", &resigned).await, 202);

    // Within 5 s: the successor's pending acknowledgment, and staffing told 0 of 1.
    let handovers = format!("/v1/handovers?project={p}");
    let reported = eventually(Duration::from_secs(5), || async {
        let pending = suite
            .get(
                "process-change",
                "/v1/employees/BK-1/pending-acknowledgments",
            )
            .await;
        let h = &suite.get("staffing", &handovers).await["items"][0];
        pending["items"][0]["notice_id"] == n.as_str()
            && h["acknowledgments"]["required"] == 1
            && h["acknowledgments"]["complete"] == false
    })
    .await;
    assert!(reported, "{}", suite.get("staffing", &handovers).await);
    let handover = suite.get("staffing", &handovers).await["items"][0]["handover_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let (code, ack) = pc_post(
        &suite,
        &format!("/v1/notices/{n}/acknowledgments"),
        Some(json!({"employee_id": "BK-1"})),
    )
    .await;
    assert_eq!(code, 201, "{ack}");
    let path = format!("/v1/handovers/{handover}");
    let done = eventually(Duration::from_secs(5), || async {
        let h = suite.get("staffing", &path).await;
        h["acknowledgments"]["complete"] == true && h["acknowledgments"]["done"] == 1
    })
    .await;
    assert!(done, "{}", suite.get("staffing", &path).await);
}
