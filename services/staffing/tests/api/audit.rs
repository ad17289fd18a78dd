//! The audit trail of departments and employees, read at `GET /v1/audit`.

use continuity_shared::auth::Role;
use continuity_shared::testing::TestApp;
use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::helpers::*;

const HEADER: &str = "employee_id,name,department_code,hire_date,leave_date\n";

/// The trail as `role` reads it with `query`.
async fn trail(app: &TestApp, role: Role, query: &str) -> (u16, Value) {
    let res = app
        .as_role(role, Method::GET, &format!("/v1/audit{query}"))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn items(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, body) = trail(app, Role::Manager, query).await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

fn request_id(res: &Response) -> String {
    res.headers()["x-request-id"].to_str().unwrap().to_owned()
}

#[actix_web::test]
async fn a_department_created_then_changed_has_two_entries_newest_first() {
    let app = spawn().await;
    let created = put_department(&app, "sales", json!({"name": "Sales", "key": true})).await;
    assert_eq!(created.status(), 201);
    let changed = app
        .as_role(Role::Manager, Method::PUT, "/v1/departments/sales")
        .header("x-request-id", "crm-trace-7")
        .json(&json!({"name": "Sales EU", "key": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);

    let entries = items(&app, "?entity=department&id=sales").await;
    assert_eq!(entries.len(), 2);
    let (newest, oldest) = (&entries[0], &entries[1]);
    assert_eq!(newest["action"], "updated");
    assert_eq!(newest["entity"], "department");
    assert_eq!(newest["entity_id"], "sales");
    assert_eq!(newest["actor"], "test-manager");
    assert_eq!(
        newest["cause"],
        json!({"kind": "request", "id": request_id(&changed)})
    );
    assert_eq!(request_id(&changed), "crm-trace-7", "the caller's own id");
    assert_eq!(newest["old"]["name"], "Sales");
    assert_eq!(newest["new"]["name"], "Sales EU");
    assert_eq!(
        newest["new"]["min_project_members"], 2,
        "as the API shows it"
    );
    assert!(newest["at"].as_str().unwrap().ends_with('Z'));

    assert_eq!(oldest["action"], "created");
    assert!(oldest["old"].is_null());
    assert_eq!(oldest["new"]["name"], "Sales");
    assert_eq!(oldest["cause"]["id"], request_id(&created));
    assert!(
        oldest["id"].as_str().unwrap() < newest["id"].as_str().unwrap(),
        "ids sort by time"
    );
}

#[actix_web::test]
async fn a_put_that_changes_nothing_adds_no_entry() {
    let app = spawn().await;
    put_department(&app, "it", json!({"name": "IT"})).await;
    let again = put_department(&app, "it", json!({"name": "IT"})).await;
    assert_eq!(again.status(), 200);
    assert_eq!(items(&app, "?entity=department&id=it").await.len(), 1);
}

#[actix_web::test]
async fn an_import_of_two_rows_adds_two_entries_and_a_changed_employee_one_more() {
    let app = spawn().await;
    seed_departments(&app).await;
    let csv = format!("{HEADER}E1,Li Lei,sales,2020-01-01,\nE2,Han Meimei,it,2021-03-01,\n");
    let imported = import_csv(&app, &csv, None).await;
    assert_eq!(imported.status(), 200);
    let cause = json!({"kind": "request", "id": request_id(&imported)});

    let entries = items(&app, "?entity=employee").await;
    assert_eq!(entries.len(), 2);
    for e in &entries {
        assert_eq!(e["action"], "created");
        assert_eq!(e["cause"], cause);
    }
    let ids: Vec<_> = entries.iter().map(|e| e["entity_id"].clone()).collect();
    assert!(ids.contains(&json!("E1")) && ids.contains(&json!("E2")));

    let moved = json!({"name": "Li Lei", "department_code": "it", "hire_date": "2020-01-01"});
    assert_eq!(put_employee(&app, "E1", moved).await.status(), 200);
    let e1 = items(&app, "?entity=employee&id=E1").await;
    assert_eq!(e1.len(), 2);
    assert_eq!(e1[0]["old"]["department_code"], "sales");
    assert_eq!(e1[0]["new"]["department_code"], "it");

    let again = format!("{HEADER}E1,Li Lei,it,2020-01-01,\nE2,Han Meimei,it,2021-03-01,\n");
    assert_eq!(import_csv(&app, &again, None).await.status(), 200);
    assert_eq!(
        items(&app, "?entity=employee").await.len(),
        3,
        "unchanged rows record nothing"
    );
}

#[actix_web::test]
async fn admins_and_managers_read_the_trail_and_no_one_else() {
    let app = spawn().await;
    assert_eq!(trail(&app, Role::Manager, "").await.0, 200);
    assert_eq!(trail(&app, Role::Admin, "").await.0, 200);
    for role in [Role::Integration, Role::Documenter, Role::Service] {
        assert_eq!(trail(&app, role, "").await.0, 403, "{role:?}");
    }
    let anonymous = app.client.get(app.url("/v1/audit")).send().await.unwrap();
    assert_eq!(problem(anonymous).await.0, 401);
}

#[actix_web::test]
async fn a_refused_request_writes_nothing() {
    let app = spawn().await;
    let blank = put_department(&app, "sales", json!({"name": " "})).await;
    assert_eq!(problem(blank).await.0, 422);
    // Refused inside the write transaction: the department does not exist.
    let nowhere = json!({"name": "Li Lei", "department_code": "sales", "hire_date": "2020-01-01"});
    assert_eq!(
        problem(put_employee(&app, "E1", nowhere).await).await.0,
        422
    );
    seed_departments(&app).await;
    let bad_row = format!("{HEADER}E1,Li Lei,sales,2020-01-01,\nE2,Han,marketing,2021-03-01,\n");
    assert_eq!(problem(import_csv(&app, &bad_row, None).await).await.0, 422);

    assert_eq!(items(&app, "?entity=employee").await.len(), 0);
    assert_eq!(
        items(&app, "").await.len(),
        2,
        "only the seeded departments"
    );
}

#[actix_web::test]
async fn the_trail_cannot_be_edited_over_http() {
    let app = spawn().await;
    for method in [Method::PUT, Method::DELETE, Method::PATCH, Method::POST] {
        let res = app
            .as_role(Role::Admin, method.clone(), "/v1/audit")
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["allow"], "GET", "{method}");
        assert_eq!(problem(res).await.0, 405, "{method}");
    }
}

#[actix_web::test]
async fn a_bad_filter_is_422_naming_the_field() {
    let app = spawn().await;
    let long = "x".repeat(201);
    for (query, field) in [
        ("?entity=dep%20t", "entity"),
        (&format!("?entity={long}") as &str, "entity"),
        ("?entity=employee&id=E1%27--", "id"),
        ("?id=sales", "id"),
        ("?limit=0", "limit"),
    ] {
        let res = app
            .as_role(Role::Manager, Method::GET, &format!("/v1/audit{query}"))
            .send()
            .await
            .unwrap();
        let (status, body) = problem(res).await;
        assert_eq!(status, 422, "{query}");
        assert_eq!(body["errors"][0]["field"], field, "{query}");
    }
}

#[actix_web::test]
async fn the_trail_pages_from_newest_to_oldest() {
    let app = spawn().await;
    for code in ["a", "b", "c"] {
        put_department(&app, code, json!({"name": code})).await;
    }
    let (_, first) = trail(&app, Role::Manager, "?limit=2").await;
    let codes: Vec<_> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["entity_id"].clone())
        .collect();
    assert_eq!(codes, vec!["c", "b"]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, last) = trail(&app, Role::Manager, &format!("?limit=2&cursor={cursor}")).await;
    assert_eq!(last["items"][0]["entity_id"], "a");
    assert!(last["next_cursor"].is_null());
}
