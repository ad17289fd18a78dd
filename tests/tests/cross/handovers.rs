//! A resignation across the suite: HR signs it, staffing opens the handover and assigns
//! the designated backup, and the services that track the successor's catching up hear
//! of both. (The training-record and process-change halves extend this test.)

use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{ADMIN_TOKEN, Suite, eventually};

pub const HR_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

pub async fn post(suite: &Suite, path: &str, body: Value) -> Value {
    let res = Suite::client()
        .post(suite.url("staffing", path))
        .bearer_auth(ADMIN_TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "POST {path}: {}", res.status());
    res.json().await.unwrap()
}

/// Sends an HR event signed as the Standard Webhooks scheme asks, now.
pub async fn send_hr(suite: &Suite, id: &str, event: &Value) -> u16 {
    let body = event.to_string();
    let ts = chrono::Utc::now().timestamp();
    let signature = standardwebhooks::Webhook::new(HR_SECRET)
        .unwrap()
        .sign(id, ts, body.as_bytes())
        .unwrap();
    Suite::client()
        .post(suite.url("staffing", "/v1/hr/events"))
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", ts.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// How many events of `kind` `service` has received from staffing.
pub async fn received(suite: &Suite, service: &str, kind: &str) -> i64 {
    let stats = suite.get(service, "/v1/admin/inbox/stats").await;
    stats
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "staffing")
        .and_then(|s| s["by_type"][kind].as_i64())
        .unwrap_or(0)
}

#[actix_web::test]
async fn a_sales_key_user_resigns_through_hr_and_the_backup_takes_over_within_seconds() {
    let suite = Suite::new();
    let hr = [
        ("CONTINUITY_HR_WEBHOOK_SECRET", HR_SECRET),
        ("CONTINUITY_STAFFING__SEED_KEY_DEPARTMENTS", "true"),
    ];
    let _staffing = suite.start_with("staffing", &hr).await;
    let _training = suite.start("training-record").await;
    let _process = suite.start("process-change").await;

    // Sales is a key department from the first start.
    for id in ["KU-1", "BK-1"] {
        let body = json!({"name": id, "department_code": "sales", "hire_date": "2020-01-01"});
        assert_eq!(
            suite
                .put("staffing", &format!("/v1/employees/{id}"), body)
                .await,
            Some(201)
        );
    }
    let project = post(
        &suite,
        "/v1/projects",
        json!({"name": "CRM", "status": "in_progress",
        "planned_go_live": "2027-06-01"}),
    )
    .await;
    let p = project["project_id"].as_str().unwrap();
    let members = format!("/v1/projects/{p}/members");
    assert_eq!(
        suite
            .put(
                "staffing",
                &format!("{members}/KU-1"),
                json!({"role": "key_user"})
            )
            .await,
        Some(201)
    );
    assert_eq!(
        suite
            .put(
                "staffing",
                &format!("{members}/BK-1"),
                json!({"role": "member", "backup_for": "KU-1"})
            )
            .await,
        Some(201)
    );

    let last_day = (chrono::Utc::now() + chrono::Duration::days(30)).date_naive();
    let resigned = json!({"type": "employee.resigned", "data": {"employee_id": "KU-1",
        "notice_date": chrono::Utc::now().date_naive(), "last_working_day": last_day}});
    assert_eq!(send_hr(&suite, "hr-msg-1", &resigned).await, 202);

    let handover_path = format!("/v1/handovers?project={p}");
    let assigned = eventually(Duration::from_secs(5), || async {
        let page = suite.get("staffing", &handover_path).await;
        let h = &page["items"][0];
        h["status"] == "successor_assigned" && h["successor"]["assigned_employee_id"] == "BK-1"
    })
    .await;
    assert!(assigned, "{}", suite.get("staffing", &handover_path).await);
    for service in ["training-record", "process-change"] {
        let heard = eventually(Duration::from_secs(5), || async {
            received(&suite, service, "handover.opened").await == 1
                && received(&suite, service, "handover.successor_assigned").await == 1
        })
        .await;
        assert!(
            heard,
            "{service}: {}",
            suite.get(service, "/v1/admin/inbox/stats").await
        );
    }
}
