use continuity_shared::auth::Role;
use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn a_department_round_trips_with_its_etag_and_location() {
    let app = spawn().await;
    let res = put_department(&app, "sales", json!({"name": "Sales", "key": true})).await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["location"], "/v1/departments/sales");
    assert_eq!(res.headers()["etag"], "\"1\"");

    let (status, body) = get_json(&app, "/v1/departments/sales").await;
    assert_eq!(status, 200);
    assert_eq!(body["name"], "Sales");
    assert_eq!(body["key"], true);
    assert_eq!(
        body["min_project_members"], 2,
        "key departments need two by default"
    );
}

#[actix_web::test]
async fn replacing_a_department_bumps_its_etag_and_a_stale_if_match_is_refused() {
    let app = spawn().await;
    put_department(&app, "quality", json!({"name": "Quality", "key": true})).await;
    let res = app
        .as_role(Role::Manager, Method::PUT, "/v1/departments/quality")
        .header("if-match", "\"1\"")
        .json(&json!({"name": "Quality Assurance", "key": true, "min_project_members": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");

    let stale = app
        .as_role(Role::Manager, Method::PUT, "/v1/departments/quality")
        .header("if-match", "\"1\"")
        .json(&json!({"name": "Lost update"}))
        .send()
        .await
        .unwrap();
    let (status, _) = problem(stale).await;
    assert_eq!(status, 412);
    let (_, body) = get_json(&app, "/v1/departments/quality").await;
    assert_eq!(
        body["name"], "Quality Assurance",
        "a refused write changes nothing"
    );
    assert_eq!(body["min_project_members"], 3);
}

#[actix_web::test]
async fn the_same_put_twice_leaves_the_version_alone() {
    let app = spawn().await;
    let body = json!({"name": "IT"});
    put_department(&app, "it", body.clone()).await;
    let again = put_department(&app, "it", body).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.headers()["etag"], "\"1\"");
}

#[actix_web::test]
async fn departments_are_listed_by_code_page_by_page() {
    let app = spawn().await;
    for code in ["d", "a", "c", "b", "e"] {
        put_department(&app, code, json!({"name": code})).await;
    }
    let (_, first) = get_json(&app, "/v1/departments?limit=2").await;
    let codes: Vec<_> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].clone())
        .collect();
    assert_eq!(codes, vec!["a", "b"]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = get_json(&app, &format!("/v1/departments?limit=2&cursor={cursor}")).await;
    assert_eq!(second["items"][0]["code"], "c");
    let cursor = second["next_cursor"].as_str().unwrap();
    let (_, last) = get_json(&app, &format!("/v1/departments?limit=2&cursor={cursor}")).await;
    assert_eq!(last["items"].as_array().unwrap().len(), 1);
    assert!(last["next_cursor"].is_null());
}
