use continuity_shared::auth::Role;
use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn a_session_of_an_unknown_project_or_with_bad_fields_is_refused_and_nothing_is_stored() {
    let app = spawn().await;
    let res = app
        .as_role(
            Role::Trainer,
            Method::POST,
            &format!("/v1/projects/{P_UNKNOWN}/training-sessions"),
        )
        .json(&session_body("Leads", "2026-11-02", &["sales"]))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 404);

    let mut bad = session_body(" ", "2026-11-02", &[]);
    bad["duration_minutes"] = json!(0);
    let res = app
        .as_role(
            Role::Trainer,
            Method::POST,
            &format!("/v1/projects/{P1}/training-sessions"),
        )
        .json(&bad)
        .send()
        .await
        .unwrap();
    let (status, body) = problem(res).await;
    assert_eq!(status, 422);
    let fields: Vec<_> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["title", "duration_minutes", "departments"]);

    for (body, ct, want) in [
        ("{", "application/json", 400),
        ("{}", "text/plain", 415),
        (r#"{"title": 5}"#, "application/json", 422),
    ] {
        let res = app
            .as_role(
                Role::Trainer,
                Method::POST,
                &format!("/v1/projects/{P1}/training-sessions"),
            )
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(problem(res).await.0, want, "{body}");
    }
    let res = as_member_e1(
        &app,
        Method::POST,
        &format!("/v1/projects/{P1}/training-sessions"),
    )
    .json(&session_body("Leads", "2026-11-02", &["sales"]))
    .send()
    .await
    .unwrap();
    assert_eq!(problem(res).await.0, 403);
    let (_, list) = get_json(&app, &format!("/v1/projects/{P1}/training-sessions")).await;
    assert_eq!(list["items"], json!([]));
    let res = app
        .as_role(
            Role::Manager,
            Method::GET,
            "/v1/training-sessions/not-a-uuid",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 422);
}

#[actix_web::test]
async fn sessions_are_listed_by_module_department_and_date() {
    let app = spawn().await;
    let a = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    let mut other = session_body("B", "2026-11-05", &["it", "sales"]);
    other["module"] = json!("quotes");
    let b = create_session(&app, &other).await;
    assert_eq!(a["required"], true);
    assert_eq!(b["departments"], json!(["it", "sales"]));

    let list = |q: &'static str| {
        let app = &app;
        async move {
            let (s, page) = get_json(app, &format!("/v1/projects/{P1}/training-sessions{q}")).await;
            assert_eq!(s, 200, "{page}");
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["title"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list("").await, ["A", "B"]);
    assert_eq!(list("?module=quotes").await, ["B"]);
    assert_eq!(list("?department=it").await, ["B"]);
    assert_eq!(list("?department=sales").await, ["A", "B"]);
    assert_eq!(list("?date=2026-11-02").await, ["A"]);
    assert_eq!(list("?from=2026-11-03&to=2026-11-30").await, ["B"]);
    assert_eq!(list("?limit=1").await, ["A"]);
    for q in ["?date=2026-13-01", "?department=Bad!", "?limit=0"] {
        let res = app
            .as_role(
                Role::Manager,
                Method::GET,
                &format!("/v1/projects/{P1}/training-sessions{q}"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(problem(res).await.0, 422, "{q}");
    }
}

#[actix_web::test]
async fn a_session_changes_only_with_a_current_if_match_and_every_change_is_audited() {
    let app = spawn().await;
    let s = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    let path = format!(
        "/v1/training-sessions/{}",
        s["session_id"].as_str().unwrap()
    );
    let patch = |if_match: Option<&'static str>| {
        let mut req = app
            .as_role(Role::Trainer, Method::PATCH, &path)
            .json(&json!({"title": "A2", "required": false}));
        if let Some(m) = if_match {
            req = req.header("if-match", m);
        }
        req.send()
    };
    assert_eq!(problem(patch(None).await.unwrap()).await.0, 428);
    assert_eq!(problem(patch(Some("\"7\"")).await.unwrap()).await.0, 412);
    let res = patch(Some("\"1\"")).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        (body["title"].as_str(), body["required"].as_bool()),
        (Some("A2"), Some(false))
    );
    assert_eq!(problem(patch(Some("\"1\"")).await.unwrap()).await.0, 412);

    let res = app
        .as_role(Role::Trainer, Method::PATCH, &path)
        .header("if-match", "\"2\"")
        .json(&json!({"departments": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 422);

    let (_, got) = get_json(&app, &path).await;
    assert_eq!(got["version"], 2);
    let id = s["session_id"].as_str().unwrap();
    let (_, trail) = get_json(&app, &format!("/v1/audit?entity=training_session&id={id}")).await;
    let actions: Vec<_> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(actions, ["updated", "created"]);
    assert_eq!(trail["items"][0]["old"]["title"], "A");
    assert_eq!(trail["items"][0]["new"]["title"], "A2");
}
