use continuity_shared::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

fn rows(csv: &str) -> Vec<Vec<String>> {
    csv.lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

#[actix_web::test]
async fn coverage_lists_each_session_s_audience_and_each_person_s_share_as_json_and_csv() {
    let app = spawn().await;
    // E4 has left sales: not in any audience.
    deliver(
        &app,
        &staffing_event(
            "left-e4",
            "employee.upserted",
            json!({"employee_id": "E4", "name": "E4", "department_code": "sales",
                "hire_date": "2020-01-01", "status": "left", "last_working_day": "2026-10-01"}),
        ),
    )
    .await;
    let a = create_session(
        &app,
        &session_body("=HYPERLINK(\"x\")", "2026-11-02", &["sales"]),
    )
    .await;
    let b = create_session(&app, &session_body("B", "2026-11-03", &["sales", "it"])).await;
    let mut optional = session_body("Optional", "2026-11-01", &["it"]);
    optional["required"] = json!(false);
    let o = create_session(&app, &optional).await;

    assert_eq!(attend(&app, &id_of(&a), "E1", true).await, 200);
    assert_eq!(attend(&app, &id_of(&o), "E3", true).await, 200);
    let v = add_video_link(&app, &id_of(&b), 3600).await;
    report(
        &app,
        &v,
        "E1",
        json!({"played": [{"start": 0, "end": 3600}]}),
    )
    .await;
    report(
        &app,
        &v,
        "E2",
        json!({"played": [{"start": 0, "end": 1800}]}),
    )
    .await;

    let (status, c) = get_json(&app, &format!("/v1/projects/{P1}/training-coverage")).await;
    assert_eq!(status, 200, "{c}");
    let sessions = c["sessions"].as_array().unwrap();
    let summary: Vec<(Value, Value, Value, Value)> = sessions
        .iter()
        .map(|s| {
            (
                s["session_id"].clone(),
                s["audience"].clone(),
                s["attended"].clone(),
                s["done"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (o["session_id"].clone(), json!(1), json!(1), json!(1)),
            (a["session_id"].clone(), json!(2), json!(1), json!(1)),
            (b["session_id"].clone(), json!(3), json!(0), json!(1)),
        ]
    );
    assert_eq!(
        sessions[2]["people"][1],
        json!({"employee_id": "E2", "department_code": "sales", "attended": false,
               "watched_share": 0.5, "done": false})
    );
    assert_eq!(
        c["people"],
        json!([
            {"employee_id": "E1", "department_code": "sales", "sessions_required": 2, "sessions_done": 2, "share_done": 1.0},
            {"employee_id": "E2", "department_code": "sales", "sessions_required": 2, "sessions_done": 0, "share_done": 0.0},
            {"employee_id": "E3", "department_code": "it", "sessions_required": 1, "sessions_done": 0, "share_done": 0.0},
        ])
    );

    let res = app
        .as_role(
            Role::Manager,
            Method::GET,
            &format!("/v1/projects/{P1}/training-coverage"),
        )
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let body = res.text().await.unwrap();
    let r = rows(&body);
    assert_eq!(
        r[0],
        [
            "session_id",
            "title",
            "held_on",
            "employee_id",
            "department_code",
            "attended",
            "watched_share",
            "done"
        ]
    );
    assert_eq!(r.len(), 1 + 1 + 2 + 3);
    assert_eq!(r[1][1], "Optional");
    // The formula-like title is quoted for spreadsheets (and for CSV: it has quotes).
    assert!(body.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{body}");
    let e2_b = r
        .iter()
        .find(|row| row[0] == id_of(&b) && row[3] == "E2")
        .unwrap();
    assert_eq!(e2_b[4..], ["sales", "false", "0.500", "false"]);

    // Readers only; unknown project 404; bad id 422.
    let res = as_member_e1(
        &app,
        Method::GET,
        &format!("/v1/projects/{P1}/training-coverage"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(problem(res).await.0, 403);
    let res = app
        .client
        .get(app.url(&format!("/v1/projects/{P1}/training-coverage")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(
        get_json(&app, &format!("/v1/projects/{P_UNKNOWN}/training-coverage"))
            .await
            .0,
        404
    );
    assert_eq!(
        get_json(&app, "/v1/projects/nope/training-coverage")
            .await
            .0,
        422
    );
}
