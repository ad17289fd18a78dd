use continuity_shared::auth::Role;
use continuity_shared::testing::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

/// A project id as staffing makes them (UUID v7).
const P1: &str = "01938a7e-4c1b-7d2e-9f00-000000000001";

fn event(id: &str, kind: &str, data: Value) -> Value {
    json!({"specversion": "1.0", "id": id, "source": "staffing", "type": kind,
           "time": "2026-11-28T08:00:00Z", "subject": "x", "data": data})
}

async fn post(app: &TestApp, body: &Value) -> Value {
    let res = app
        .as_role(Role::Service, Method::POST, "/v1/events")
        .header("content-type", "application/cloudevents-batch+json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn get(app: &TestApp, path: &str) -> Value {
    let res = app
        .as_role(Role::Manager, Method::GET, path)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

fn employee(id: &str, name: &str) -> Value {
    json!({"employee_id": id, "name": name, "department_code": "sales", "hire_date": "2021-03-01",
           "status": "active", "last_working_day": null})
}

#[actix_web::test]
async fn staffing_events_build_the_roster_copy_and_a_repeat_changes_nothing() {
    let app = TestApp::spawn(&training_record::SERVICE).await;
    let batch = json!([
        event(
            "1",
            "department.upserted",
            json!({"code": "sales", "name": "Sales", "key": true, "min_project_members": 2})
        ),
        event("2", "employee.upserted", employee("E1", "Li Lei")),
        event("3", "employee.upserted", employee("E2", "Han Meimei")),
        event(
            "4",
            "employee.resigned",
            json!({"employee_id": "E1", "department_code": "sales",
            "notice_date": "2026-11-20", "last_working_day": "2027-01-31", "reason": null})
        ),
        event(
            "5",
            "project.upserted",
            json!({"project_id": P1, "name": "CRM", "status": "in_progress",
                "planned_start": "2027-03-01", "planned_go_live": "2027-09-01",
                "stabilization_months": 3})
        ),
        event(
            "6",
            "team_member.added",
            json!({"project_id": P1, "employee_id": "E1", "department_code": "sales",
            "role": "key_user", "backup_for": null})
        ),
        event(
            "7",
            "team_member.added",
            json!({"project_id": P1, "employee_id": "E2", "department_code": "sales",
            "role": "member", "backup_for": "E1"})
        ),
        event(
            "8",
            "team_member.removed",
            json!({"project_id": P1, "employee_id": "E1", "department_code": "sales",
            "role": "key_user", "backup_for": null})
        ),
    ]);
    let report = post(&app, &batch).await;
    assert_eq!(
        (report["applied"].clone(), report["duplicates"].clone()),
        (json!(8), json!(0))
    );

    let employees = get(&app, "/v1/roster/employees?department=sales").await;
    let e1 = &employees["items"][0];
    assert_eq!(
        (e1["employee_id"].as_str(), e1["status"].as_str()),
        (Some("E1"), Some("leaving"))
    );
    assert_eq!(e1["last_working_day"], "2027-01-31");
    let members = get(&app, &format!("/v1/roster/projects/{P1}/members")).await;
    assert_eq!(members["items"].as_array().unwrap().len(), 1);
    assert_eq!(members["items"][0]["backup_for"], "E1");
    assert_eq!(
        get(&app, "/v1/roster/departments").await["items"][0]["key"],
        true
    );
    assert_eq!(
        get(&app, "/v1/roster/projects").await["items"][0]["name"],
        "CRM"
    );

    // The same batch again, say after a lost acknowledgment: nothing applied twice.
    let again = post(&app, &batch).await;
    assert_eq!(
        (again["applied"].clone(), again["duplicates"].clone()),
        (json!(0), json!(8))
    );
    // A rescinded resignation makes the person active again.
    post(
        &app,
        &json!([event(
            "9",
            "employee.resignation_rescinded",
            json!({"employee_id": "E1"})
        )]),
    )
    .await;
    let e1 = &get(&app, "/v1/roster/employees").await["items"][0];
    assert_eq!(e1["status"], "active");
    assert!(e1["last_working_day"].is_null());
}

#[actix_web::test]
async fn an_event_of_an_unknown_type_is_stored_and_acknowledged() {
    let app = TestApp::spawn(&training_record::SERVICE).await;
    let report = post(
        &app,
        &json!([event(
            "new-1",
            "something.introduced_later",
            json!({"x": 1})
        )]),
    )
    .await;
    assert_eq!(
        (report["received"].clone(), report["ignored"].clone()),
        (json!(1), json!(1))
    );
    let stats = app
        .as_role(Role::Admin, Method::GET, "/v1/admin/inbox/stats")
        .send()
        .await
        .unwrap();
    let stats: Value = stats.json().await.unwrap();
    assert_eq!(stats[0]["received"], 1);
    assert_eq!(stats[0]["applied"], 0);
}

#[actix_web::test]
async fn a_known_event_with_a_bad_payload_is_refused_alone_and_the_others_apply() {
    let app = TestApp::spawn(&training_record::SERVICE).await;
    let batch = json!([
        event("1", "employee.upserted", employee("E1", "Li Lei")),
        event("2", "employee.upserted", json!({"employee_id": "E2"})),
    ]);
    let report = post(&app, &batch).await;
    assert_eq!(report["results"][0]["outcome"], "applied");
    assert_eq!(report["results"][1]["outcome"], "rejected");
    let field = report["results"][1]["problem"]["errors"][0]["field"]
        .as_str()
        .unwrap();
    assert!(field.starts_with("data"), "{report}");
    let copy = get(&app, "/v1/roster/employees").await;
    assert_eq!(copy["items"].as_array().unwrap().len(), 1);
    assert_eq!(copy["items"][0]["employee_id"], "E1");
}

#[actix_web::test]
async fn the_roster_copy_is_read_only_and_listed_in_the_document() {
    let app = TestApp::spawn(&training_record::SERVICE).await;
    let res = app
        .as_role(Role::Admin, Method::PUT, "/v1/roster/employees")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    let doc: Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/v1/roster/employees",
        "/v1/roster/departments",
        "/v1/roster/projects",
        "/v1/events",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    assert_eq!(
        continuity_shared::testing::dangling_refs(&doc),
        Vec::<String>::new()
    );
}

#[actix_web::test]
async fn forged_events_are_refused_whole_and_copy_nothing() {
    let app = TestApp::spawn(&training_record::SERVICE).await;
    let forged = [
        ("status", json!("pwned")),
        ("employee_id", json!("E".repeat(5000))),
        ("employee_id", json!("../../x")),
        ("employee_id", json!("..")),
        ("name", json!("Li\u{1b}[31mLei")),
        ("hire_date", json!("10000-01-01")),
        ("department_code", json!("Sales")),
    ];
    for (i, (field, value)) in forged.into_iter().enumerate() {
        let mut data = employee("E1", "Li Lei");
        data[field] = value;
        let res = app
            .as_role(Role::Service, Method::POST, "/v1/events")
            .json(&event(&format!("f{i}"), "employee.upserted", data))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{field}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(
            body["errors"][0]["field"],
            format!("data.{field}"),
            "{body}"
        );
    }
    // A roster event from a service other than the roster's producer.
    let res = app
        .as_role(Role::Service, Method::POST, "/v1/events")
        .json(
            &json!({"specversion": "1.0", "id": "s1", "source": "scheduling",
            "type": "employee.upserted", "time": "2026-11-28T08:00:00Z",
            "data": employee("E1", "Li Lei")}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(get(&app, "/v1/roster/employees").await["items"], json!([]));
    let stats: Value = app
        .as_role(Role::Admin, Method::GET, "/v1/admin/inbox/stats")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats, json!([]), "nothing recorded either");
}

#[actix_web::test]
async fn a_corrupt_stored_row_is_an_error_not_a_default() {
    let app = TestApp::spawn(&training_record::SERVICE).await;
    post(
        &app,
        &json!([event("1", "employee.upserted", employee("E1", "Li Lei"))]),
    )
    .await;
    app.db
        .write(|c| {
            use diesel::connection::SimpleConnection;
            c.batch_execute("UPDATE roster_employees SET status = 'pwned'")
                .map_err(continuity_shared::ApiError::from)
        })
        .await
        .unwrap();
    let res = app
        .as_role(Role::Manager, Method::GET, "/v1/roster/employees")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 500);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "internal");
    assert!(
        !body.to_string().contains("pwned"),
        "no stored value leaks: {body}"
    );
}
