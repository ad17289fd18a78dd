use continuity_shared::auth::Role;
use continuity_shared::testing::MEMBER_E1;
use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn an_employee_round_trips() {
    let app = spawn().await;
    seed_departments(&app).await;
    let res = put_employee(
        &app,
        "E1",
        json!({"name": "Li Lei", "department_code": "sales", "hire_date": "2020-03-01"}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let (status, body) = get_json(&app, "/v1/employees/E1").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "active");
    assert_eq!(body["hire_date"], "2020-03-01");
    assert!(body["last_working_day"].is_null());
}

#[actix_web::test]
async fn an_employee_of_an_unknown_department_is_refused_naming_the_field() {
    let app = spawn().await;
    let res = put_employee(
        &app,
        "E1",
        json!({"name": "Li Lei", "department_code": "nowhere", "hire_date": "2020-03-01"}),
    )
    .await;
    let (status, body) = problem(res).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "department_code");
    assert_eq!(get_json(&app, "/v1/employees/E1").await.0, 404);
}

#[actix_web::test]
async fn leaving_without_a_last_working_day_is_refused() {
    let app = spawn().await;
    seed_departments(&app).await;
    let res = put_employee(
        &app,
        "E1",
        json!({"name": "Li", "department_code": "sales", "hire_date": "2020-03-01", "status": "leaving"}),
    )
    .await;
    let (status, body) = problem(res).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "last_working_day");
}

#[actix_web::test]
async fn employees_can_be_filtered_by_department_and_status() {
    let app = spawn().await;
    seed_departments(&app).await;
    let people = [
        ("E1", "sales", "active", None),
        ("E2", "sales", "leaving", Some("2027-01-31")),
        ("E3", "it", "active", None),
    ];
    for (id, dept, status, lwd) in people {
        let res = put_employee(
            &app,
            id,
            json!({"name": id, "department_code": dept, "hire_date": "2020-01-01", "status": status, "last_working_day": lwd}),
        )
        .await;
        assert_eq!(res.status(), 201);
    }
    let ids = |v: serde_json::Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["employee_id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        ids(get_json(&app, "/v1/employees?department=sales").await.1),
        vec!["E1", "E2"]
    );
    assert_eq!(
        ids(
            get_json(&app, "/v1/employees?department=sales&status=leaving")
                .await
                .1
        ),
        vec!["E2"]
    );
    assert_eq!(
        ids(get_json(&app, "/v1/employees?status=active").await.1),
        vec!["E1", "E3"]
    );
    // A bad filter is refused by its name, not as "query".
    for bad in ["", "Sales", "../x"] {
        let (status, body) = get_json(&app, &format!("/v1/employees?department={bad}")).await;
        assert_eq!(status, 422, "{bad:?}");
        assert_eq!(body["errors"][0]["field"], "department", "{body}");
    }
}

#[actix_web::test]
async fn a_member_reads_only_their_own_record() {
    let app = spawn().await;
    seed_departments(&app).await;
    for id in ["E1", "E2"] {
        put_employee(
            &app,
            id,
            json!({"name": id, "department_code": "it", "hire_date": "2020-01-01"}),
        )
        .await;
    }
    let own = app
        .client
        .get(app.url("/v1/employees/E1"))
        .bearer_auth(MEMBER_E1)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    let other = app
        .client
        .get(app.url("/v1/employees/E2"))
        .bearer_auth(MEMBER_E1)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(other).await.0, 403);
    let list = app
        .client
        .get(app.url("/v1/employees"))
        .bearer_auth(MEMBER_E1)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(list).await.0, 403);
}

#[actix_web::test]
async fn the_crm_integration_token_reads_but_cannot_change_the_roster() {
    let app = spawn().await;
    seed_departments(&app).await;
    let read = app
        .as_role(Role::Integration, Method::GET, "/v1/departments")
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    let write = app
        .as_role(Role::Integration, Method::PUT, "/v1/employees/E9")
        .json(&json!({"name": "X", "department_code": "it", "hire_date": "2020-01-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(write).await.0, 403);
}

#[actix_web::test]
async fn concurrent_changes_to_one_employee_all_apply_one_after_another() {
    let app = spawn().await;
    seed_departments(&app).await;
    let body = |n: usize| json!({"name": format!("Name {n}"), "department_code": "sales", "hire_date": "2020-01-01"});
    // Ten creations of one new employee at once: one creates it, the others update it.
    let created = futures_util::future::join_all((1..=10).map(|n| {
        let app = &app;
        async move { put_employee(app, "E1", body(n)).await.status().as_u16() }
    }))
    .await;
    let mut sorted = created.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [[200; 9].as_slice(), &[201]].concat(),
        "{created:?}"
    );
    // Twenty changes at once, without If-Match: each applies on top of the one before
    // (last writer wins), none is refused and none is lost.
    let answers = futures_util::future::join_all((11..=30).map(|n| {
        let app = &app;
        async move { put_employee(app, "E1", body(n)).await.status().as_u16() }
    }))
    .await;
    assert!(answers.iter().all(|s| *s == 200), "{answers:?}");
    let res = app
        .as_role(Role::Manager, Method::GET, "/v1/employees/E1")
        .send()
        .await
        .unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(etag, "\"30\"", "{answers:?}");
    let (_, trail) = get_json(&app, "/v1/audit?entity=employee&id=E1&limit=100").await;
    assert_eq!(trail["items"].as_array().unwrap().len(), 30);
}
