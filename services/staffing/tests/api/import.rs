use continuity_shared::auth::Role;
use reqwest::Method;

use crate::helpers::*;

const HEADER: &str = "employee_id,name,department_code,hire_date,leave_date\n";

#[actix_web::test]
async fn a_roster_file_creates_then_updates_employees() {
    let app = spawn().await;
    seed_departments(&app).await;
    let csv = format!(
        "{HEADER}E1,Li Lei,sales,2020-01-01,\nE2,Han Meimei,sales,2021-03-01,2099-01-31\nE3,Wang Wu,it,2019-05-01,2020-02-28\n"
    );
    let res = import_csv(&app, &csv, None).await;
    assert_eq!(res.status(), 200);
    let report: serde_json::Value = res.json().await.unwrap();
    assert_eq!(report["created"], 3);
    assert_eq!(report["received"], 3);

    let (_, e2) = get_json(&app, "/v1/employees/E2").await;
    assert_eq!(e2["status"], "leaving");
    assert_eq!(e2["last_working_day"], "2099-01-31");
    let (_, e3) = get_json(&app, "/v1/employees/E3").await;
    assert_eq!(e3["status"], "left");

    let csv =
        format!("{HEADER}E1,Li Lei,it,2020-01-01,\nE2,Han Meimei,sales,2021-03-01,2099-01-31\n");
    let report: serde_json::Value = import_csv(&app, &csv, None).await.json().await.unwrap();
    assert_eq!(
        (
            report["created"].clone(),
            report["updated"].clone(),
            report["unchanged"].clone()
        ),
        (0.into(), 1.into(), 1.into())
    );
    assert_eq!(
        get_json(&app, "/v1/employees/E1").await.1["department_code"],
        "it"
    );
}

#[actix_web::test]
async fn a_file_with_bad_rows_changes_nothing_and_names_every_bad_row() {
    let app = spawn().await;
    seed_departments(&app).await;
    let csv = format!(
        "{HEADER}E1,Li Lei,sales,2020-01-01,\nE2,Han,sales,2021-02-30,\nE3,Wang,marketing,2019-05-01,\n"
    );
    let (status, body) = problem(import_csv(&app, &csv, None).await).await;
    assert_eq!(status, 422);
    let fields: Vec<_> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["rows[2].hire_date"]);
    assert_eq!(
        get_json(&app, "/v1/employees/E1").await.0,
        404,
        "nothing applied"
    );

    let csv = format!("{HEADER}E1,Li Lei,sales,2020-01-01,\nE3,Wang,marketing,2019-05-01,\n");
    let (_, body) = problem(import_csv(&app, &csv, None).await).await;
    assert_eq!(body["errors"][0]["field"], "rows[2].department_code");
    assert_eq!(
        get_json(&app, "/v1/employees/E1").await.0,
        404,
        "nothing applied"
    );
}

#[actix_web::test]
async fn a_retry_with_the_same_idempotency_key_replays_the_first_answer() {
    let app = spawn().await;
    seed_departments(&app).await;
    let csv = format!("{HEADER}E1,Li Lei,sales,2020-01-01,\n");
    let first: serde_json::Value = import_csv(&app, &csv, Some("k-1"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["created"], 1);
    let again = import_csv(&app, &csv, Some("k-1")).await;
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: serde_json::Value = again.json().await.unwrap();
    assert_eq!(again, first, "the first answer, not a second import's");

    let other = format!("{HEADER}E2,Han,sales,2020-01-01,\n");
    let (status, body) = problem(import_csv(&app, &other, Some("k-1")).await).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "Idempotency-Key");
    assert_eq!(get_json(&app, "/v1/employees/E2").await.0, 404);
}

#[actix_web::test]
async fn an_import_that_is_not_csv_is_415() {
    let app = spawn().await;
    let res = app
        .as_role(Role::Manager, Method::POST, "/v1/employees/import")
        .header("content-type", "application/json")
        .body("[]")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 415);
}

#[actix_web::test]
async fn a_large_roster_imports_in_one_request() {
    let app = spawn().await;
    seed_departments(&app).await;
    let mut csv = String::from(HEADER);
    for i in 0..2000 {
        csv.push_str(&format!("E{i:05},Person {i},sales,2020-01-01,\n"));
    }
    let report: serde_json::Value = import_csv(&app, &csv, None).await.json().await.unwrap();
    assert_eq!(report["created"], 2000);
    let (_, page) = get_json(&app, "/v1/employees?limit=500&department=sales").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 500);
}

/// The rows of a file of several thousand, as `(employee_id, department)`.
fn roster_csv(rows: impl Iterator<Item = (String, &'static str)>) -> String {
    let mut csv = String::from(HEADER);
    for (id, dept) in rows {
        csv.push_str(&format!("{id},Person {id},{dept},2020-01-01,\n"));
    }
    csv
}

#[actix_web::test]
async fn a_roster_of_thousands_is_applied_whole_and_published_and_audited_in_file_order() {
    let app = spawn().await;
    seed_departments(&app).await;
    let id = |i: usize| format!("E{i:05}");
    let first = roster_csv((0..4_500).map(|i| (id(i), "sales")));
    assert_eq!(import_csv(&app, &first, None).await.status(), 200);

    // Five rows moved, spread over the file (first, middle, last part), then 500 new.
    let moved = |i: usize| i % 1_000 == 7;
    let second = roster_csv((0..5_000).map(|i| (id(i), if moved(i) { "it" } else { "sales" })));
    let report: serde_json::Value = import_csv(&app, &second, None).await.json().await.unwrap();
    assert_eq!(
        report,
        serde_json::json!({"received": 5000, "created": 500, "updated": 5, "unchanged": 4495})
    );

    let upserted: Vec<String> = crate::hr_webhook::published(&app)
        .await
        .into_iter()
        .filter(|(t, _)| t == "employee.upserted")
        .map(|(_, p)| p["data"]["employee_id"].as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = (0..4_500)
        .chain((0..5_000).filter(|&i| moved(i) || i >= 4_500))
        .map(id)
        .collect();
    assert_eq!(
        upserted, expected,
        "one event per changed row, in the file's order"
    );

    let (_, e4007) = get_json(&app, "/v1/employees/E04007").await;
    assert_eq!(e4007["department_code"], "it");
    let (_, trail) = get_json(&app, "/v1/audit?entity=employee&id=E04007").await;
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.len(), 2, "{trail}");
    assert!(actions.contains(&"created") && actions.contains(&"updated"));
    let (_, unchanged) = get_json(&app, "/v1/audit?entity=employee&id=E04006").await;
    assert_eq!(
        unchanged["items"].as_array().unwrap().len(),
        1,
        "unchanged rows record nothing"
    );
}

#[actix_web::test]
async fn an_import_reads_today_in_the_companys_time_zone_not_utc() {
    // 17:00 UTC on 28 November is already 29 November in Shanghai.
    let clock = continuity_shared::clock::Clock::manual(
        "2026-11-28T17:00:00Z".parse().unwrap(),
        continuity_shared::clock::DEFAULT_TIME_ZONE,
    );
    let app = continuity_shared::testing::TestApp::spawn_with_clock(
        &staffing::SERVICE,
        &PEERS_NOT_THERE,
        clock.clone(),
    )
    .await;
    seed_departments(&app).await;
    let csv = format!(
        "{HEADER}E1,Li Lei,sales,2020-01-01,2026-11-28\nE2,Han Meimei,sales,2020-01-01,2026-11-29\n"
    );
    assert_eq!(import_csv(&app, &csv, None).await.status(), 200);
    let (_, e1) = get_json(&app, "/v1/employees/E1").await;
    assert_eq!(
        e1["status"], "left",
        "their last day was yesterday, in Shanghai"
    );
    let (_, e2) = get_json(&app, "/v1/employees/E2").await;
    assert_eq!(e2["status"], "leaving", "today is their last day");
    assert_eq!(
        e2["created_at"], "2026-11-28T17:00:00Z",
        "stamped by the service's clock"
    );
}

#[actix_web::test]
async fn a_file_over_the_configured_row_limit_is_refused_before_anything_is_written() {
    let app = spawn_with(&[("CONTINUITY_STAFFING__MAX_IMPORT_ROWS", "2")]).await;
    seed_departments(&app).await;
    let csv =
        format!("{HEADER}E1,A,sales,2020-01-01,\nE2,B,sales,2020-01-01,\nE3,C,sales,2020-01-01,\n");
    let res = import_csv(&app, &csv, None).await;
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "rows");
    assert_eq!(
        get_json(&app, "/v1/employees").await.1["items"],
        serde_json::json!([])
    );
}

#[actix_web::test]
async fn a_client_that_gives_up_mid_import_can_retry_with_its_key_and_nothing_is_done_twice() {
    let app = spawn().await;
    seed_departments(&app).await;
    let mut csv = HEADER.to_owned();
    for i in 0..20_000 {
        csv.push_str(&format!("G{i:05},Person {i},sales,2020-01-01,\n"));
    }
    // Hostile first: give up after a few milliseconds, while the server is at work.
    let impatient = reqwest::Client::builder()
        .timeout(std::time::Duration::from_millis(30))
        .build()
        .unwrap();
    let gave_up = impatient
        .post(app.url("/v1/employees/import"))
        .bearer_auth(continuity_shared::testing::token_for(Role::Manager))
        .header("content-type", "text/csv")
        .header("idempotency-key", "roster-2026-11")
        .body(csv.clone())
        .send()
        .await;
    assert!(gave_up.is_err(), "the client gave up before the answer");
    // The retry is answered (fresh, or the first answer replayed) as soon as the first is
    // done: at most "still running, retry" (409) while it runs, never for long.
    let mut status = 0;
    for _ in 0..100 {
        let res = import_csv(&app, &csv, Some("roster-2026-11")).await;
        status = res.status().as_u16();
        if status == 200 {
            let report: serde_json::Value = res.json().await.unwrap();
            assert_eq!(report["received"], 20_000);
            break;
        }
        assert!(matches!(status, 409 | 503), "{status}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200);
    let (_, page) = get_json(&app, "/v1/audit?entity=employee&limit=500").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 500);
    let res = import_csv(&app, &csv, Some("roster-2026-11")).await;
    assert_eq!(res.headers()["idempotent-replayed"], "true");
}
