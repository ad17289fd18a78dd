//! Bad input gets problem+json with the contract's status, and changes nothing.

use continuity_shared::auth::Role;
use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

async fn sales_name(app: &continuity_shared::testing::TestApp) -> String {
    get_json(app, "/v1/departments/sales").await.1["name"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[actix_web::test]
async fn malformed_json_is_400_and_changes_nothing() {
    let app = spawn().await;
    seed_departments(&app).await;
    let res = app
        .as_role(Role::Manager, Method::PUT, "/v1/departments/sales")
        .header("content-type", "application/json")
        .body("{\"name\": \"Broken")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 400);
    assert_eq!(sales_name(&app).await, "Sales");
}

#[actix_web::test]
async fn a_wrong_content_type_is_415() {
    let app = spawn().await;
    let res = app
        .as_role(Role::Manager, Method::PUT, "/v1/departments/sales")
        .header("content-type", "text/plain")
        .body("{\"name\": \"Sales\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 415);
    assert_eq!(get_json(&app, "/v1/departments/sales").await.0, 404);
}

#[actix_web::test]
async fn a_body_over_the_limit_is_413() {
    let app = continuity_shared::testing::TestApp::spawn_with(
        &staffing::SERVICE,
        &[("CONTINUITY_HTTP__BODY_LIMIT_BYTES", "1024")],
    )
    .await;
    let big = json!({"name": "x".repeat(4096)});
    let res = put_department(&app, "sales", big).await;
    assert_eq!(problem(res).await.0, 413);
    let csv = format!(
        "employee_id,name,department_code,hire_date\n{}",
        "E1,x,sales,2020-01-01\n".repeat(100)
    );
    assert_eq!(problem(import_csv(&app, &csv, None).await).await.0, 413);
}

#[actix_web::test]
async fn an_invalid_field_is_422_naming_it() {
    let app = spawn().await;
    let res = put_department(
        &app,
        "sales",
        json!({"name": "Sales", "min_project_members": 0}),
    )
    .await;
    let (status, body) = problem(res).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "min_project_members");

    let res = put_department(&app, "sales", json!({"name": "Sales", "key": "yes"})).await;
    let (status, body) = problem(res).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "key");

    let res = put_department(&app, "Bad Code", json!({"name": "Sales"})).await;
    assert_eq!(problem(res).await.1["errors"][0]["field"], "code");
    assert_eq!(
        get_json(&app, "/v1/departments").await.1["items"],
        json!([])
    );
}

#[actix_web::test]
async fn an_unknown_field_is_422_rather_than_silently_ignored() {
    let app = spawn().await;
    let res = put_department(&app, "sales", json!({"name": "Sales", "kee": true})).await;
    let (status, body) = problem(res).await;
    assert_eq!(status, 422);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("kee")
    );
}

#[actix_web::test]
async fn an_unknown_id_is_404() {
    let app = spawn().await;
    let res = app
        .as_role(Role::Manager, Method::GET, "/v1/employees/NOPE")
        .send()
        .await
        .unwrap();
    let (status, body) = problem(res).await;
    assert_eq!(status, 404);
    assert!(body["detail"].as_str().unwrap().contains("NOPE"));
}

#[actix_web::test]
async fn no_token_is_401_and_an_unknown_token_too() {
    let app = spawn().await;
    let res = app
        .client
        .get(app.url("/v1/departments"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    assert_eq!(problem(res).await.0, 401);
    let res = app
        .client
        .get(app.url("/v1/departments"))
        .bearer_auth("guess")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 401);
}

#[actix_web::test]
async fn a_role_without_the_right_is_403_and_changes_nothing() {
    let app = spawn().await;
    let res = app
        .as_role(Role::Trainer, Method::PUT, "/v1/departments/sales")
        .json(&json!({"name": "Sales"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 403);
    assert_eq!(get_json(&app, "/v1/departments/sales").await.0, 404);
}

#[actix_web::test]
async fn chinese_is_answered_to_a_chinese_caller() {
    let app = spawn().await;
    let res = app
        .as_role(Role::Manager, Method::GET, "/v1/departments/nowhere")
        .header("accept-language", "zh-CN,zh;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-language"], "zh-CN");
    let (status, body) = problem(res).await;
    assert_eq!(status, 404);
    assert_eq!(body["title"], "未找到");
    assert_eq!(body["detail"], "部门 `nowhere` 不存在。");

    let res = app
        .as_role(Role::Manager, Method::PUT, "/v1/departments/x")
        .header("accept-language", "zh-CN")
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.1["title"], "请求格式错误");
}

#[actix_web::test]
async fn a_wrong_method_is_405_with_allow() {
    let app = spawn().await;
    let res = app
        .as_role(Role::Manager, Method::DELETE, "/v1/departments/sales")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["allow"], "GET, PUT");
    assert_eq!(problem(res).await.0, 405);
}

#[actix_web::test]
async fn an_unknown_path_is_a_404_problem() {
    let app = spawn().await;
    let res = app
        .as_role(Role::Manager, Method::GET, "/v1/nothing/here")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 404);
}

#[actix_web::test]
async fn bad_query_parameters_are_422() {
    let app = spawn().await;
    let res = app
        .as_role(Role::Manager, Method::GET, "/v1/employees?limit=0")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.1["errors"][0]["field"], "limit");
    let res = app
        .as_role(Role::Manager, Method::GET, "/v1/employees?status=gone")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.1["errors"][0]["field"], "status");
    let res = app
        .as_role(Role::Manager, Method::GET, "/v1/employees?limit=many")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.1["errors"][0]["field"], "limit");
    let res = app
        .as_role(Role::Manager, Method::GET, "/v1/employees?cursor=!!")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.1["errors"][0]["field"], "cursor");
}
