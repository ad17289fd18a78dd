//! `POST /v1/attrition/import` and the roster hook: one history, without doubling.

use continuity_shared::auth::Role;
use serde_json::Value;

use crate::helpers::*;

const HEADER: &str = "employee_id,department_code,hire_date,leave_date\n";

async fn seasonality_events(app: &continuity_shared::testing::TestApp) -> (u64, Value) {
    let (code, body) = get(
        app,
        "/v1/attrition/seasonality?basis=calendar&from=2020-01-01&to=2026-10-31",
    )
    .await;
    assert_eq!(code, 200, "{body}");
    (body["events"].as_u64().unwrap(), body)
}

#[actix_web::test]
async fn bad_rows_are_each_named_and_nothing_is_written() {
    let app = spawn().await;
    let csv = format!(
        "{HEADER}E1,sales,2020-01-01,2022-02-20\nE2,sales,2020-02-30,\nbad id,sales,2020-01-01,\nE3,sales,2021-01-01,2020-01-01\n"
    );
    let (code, body) = problem(import(&app, Role::Manager, &csv).await).await;
    assert_eq!(code, 422);
    assert_eq!(
        fields(&body),
        [
            "rows[2].hire_date",
            "rows[3].employee_id",
            "rows[4].leave_date"
        ]
    );
    let (events, _) = seasonality_events(&app).await;
    assert_eq!(events, 0, "nothing was written");
}

#[actix_web::test]
async fn hostile_requests_are_refused_with_problems() {
    let app = spawn().await;
    let res = app
        .as_role(Role::Manager, reqwest::Method::POST, "/v1/attrition/import")
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 415);
    let res = app
        .client
        .post(app.url("/v1/attrition/import"))
        .header("content-type", "text/csv")
        .body(HEADER)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 401);
    assert_eq!(
        problem(import(&app, Role::Trainer, HEADER).await).await.0,
        403
    );
    let (code, body) = problem(import(&app, Role::Manager, "").await).await;
    assert_eq!((code, fields(&body)), (422, vec!["header".to_owned()]));
    let (code, body) = problem(import(&app, Role::Manager, "a,b\n1,2\n").await).await;
    assert_eq!((code, fields(&body)), (422, vec!["header".to_owned()]));
    let binary = "employee_id,department_code,hire_date\n\u{0}\u{1},x,y\n";
    assert_eq!(
        problem(import(&app, Role::Manager, binary).await).await.0,
        422
    );
}

#[actix_web::test]
async fn re_importing_the_same_rows_changes_nothing_and_a_rehire_is_a_new_spell() {
    let app = spawn().await;
    let csv = format!(
        "{HEADER}E1,sales,2020-01-01,2022-02-20\nE1,sales,2023-01-01,\nE2,quality,2021-03-01,2024-02-25\n"
    );
    let (code, first) = json_of(import(&app, Role::Integration, &csv).await).await;
    assert_eq!(code, 200, "{first}");
    assert_eq!(
        (&first["received"], &first["added"], &first["total_spells"]),
        (&Value::from(3), &Value::from(3), &Value::from(3))
    );
    let (_, before) = seasonality_events(&app).await;
    let (code, again) = json_of(import(&app, Role::Integration, &csv).await).await;
    assert_eq!(code, 200);
    assert_eq!(
        (
            &again["added"],
            &again["already_known"],
            &again["total_spells"]
        ),
        (&Value::from(0), &Value::from(3), &Value::from(3))
    );
    let (events, after) = seasonality_events(&app).await;
    assert_eq!(events, 2);
    assert_eq!(before, after, "the same rows again change nothing");
}

#[actix_web::test]
async fn live_departures_join_the_imported_history_without_doubling_it() {
    let app = spawn().await;
    let csv = format!("{HEADER}E1,sales,2020-01-01,\nE2,sales,2020-01-01,2022-02-20\n");
    assert_eq!(import(&app, Role::Manager, &csv).await.status(), 200);
    // The roster reports E1 leaving (already imported as a spell), E2's old departure
    // again, and a new hire E3.
    employee(&app, "E1", "sales", "2020-01-01", "active", None).await;
    employee(
        &app,
        "E1",
        "sales",
        "2020-01-01",
        "left",
        Some("2026-02-27"),
    )
    .await;
    employee(
        &app,
        "E2",
        "sales",
        "2020-01-01",
        "left",
        Some("2022-02-20"),
    )
    .await;
    employee(&app, "E3", "quality", "2025-03-01", "active", None).await;
    let (events, _) = seasonality_events(&app).await;
    assert_eq!(events, 2, "E2 counted once, E1 once");
    let (code, again) = json_of(import(&app, Role::Manager, &csv).await).await;
    assert_eq!(code, 200);
    assert_eq!(again["total_spells"], 3, "{again}");
    let (events, body) = seasonality_events(&app).await;
    assert_eq!(
        events, 2,
        "an older file does not undo a known departure: {body}"
    );
    // A rehire of E2 is a new spell.
    employee(&app, "E2", "sales", "2024-06-01", "active", None).await;
    let (code, report) = json_of(import(&app, Role::Manager, HEADER).await).await;
    assert_eq!((code, &report["total_spells"]), (200, &Value::from(4)));
}
