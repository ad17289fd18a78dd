//! The lifecycle of a process change: every legal and illegal transition, every role,
//! If-Match, and the history in the audit trail.

use continuity_shared::auth::Role;
use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn a_draft_is_edited_with_if_match_approved_published_and_its_history_is_readable() {
    let app = spawn().await;
    let p = project(&app).await;
    let id = record(&app, &p, "Approve order", &["sales"]).await;
    let path = format!("/v1/process-changes/{id}");
    let res = send(&app, Role::Documenter, Method::GET, &path, None).await;
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let (_, body) = json_of(res).await;
    assert_eq!(body["status"], "draft");
    assert_eq!(body["recorded_by"], "test-documenter");

    let res = app
        .as_role(Role::Documenter, Method::PATCH, &path)
        .header("if-match", &etag)
        .json(&json!({"reason": "Fewer errors", "departments": ["sales", "quality"]}))
        .send()
        .await
        .unwrap();
    let (code, body) = json_of(res).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["departments"], json!(["quality", "sales"]));
    assert_eq!(body["version"], 2);

    approve(&app, &id).await;
    let n = notice(&app, &p, &[&id]).await;
    publish(&app, &n).await;
    let (_, body) = json_of(send(&app, Role::Trainer, Method::GET, &path, None).await).await;
    assert_eq!(body["status"], "published");
    assert_eq!(body["notice_id"], n.as_str());

    let (code, audit) = json_of(
        send(
            &app,
            Role::Manager,
            Method::GET,
            &format!("/v1/audit?entity=process_change&id={id}"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(code, 200, "{audit}");
    let statuses: Vec<_> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["new"]["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        statuses,
        ["published", "approved", "draft", "draft"],
        "newest first"
    );
}

#[actix_web::test]
async fn editing_needs_if_match_428_without_412_when_stale_and_409_once_approved() {
    let app = spawn().await;
    let id = record(&app, &project(&app).await, "Ship", &["sales"]).await;
    let path = format!("/v1/process-changes/{id}");
    let patch = json!({"reason": "Because"});
    let res = send(
        &app,
        Role::Documenter,
        Method::PATCH,
        &path,
        Some(patch.clone()),
    )
    .await;
    assert_eq!(problem(res).await.0, 428);
    let stale = app
        .as_role(Role::Documenter, Method::PATCH, &path)
        .header("if-match", "\"7\"")
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(stale).await.0, 412);
    let garbage = app
        .as_role(Role::Documenter, Method::PATCH, &path)
        .header("if-match", "nope")
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(garbage).await.0, 400);

    approve(&app, &id).await;
    let res = app
        .as_role(Role::Documenter, Method::PATCH, &path)
        .header("if-match", "*")
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 409);
}

#[actix_web::test]
async fn every_illegal_transition_is_409() {
    let app = spawn().await;
    let p = project(&app).await;
    staff(&app, "sales", "S", 1).await;
    let (old, _) = published(&app, &p, "Invoice", &["sales"]).await;
    let (newer, _) = published(&app, &p, "Invoice", &["sales"]).await;
    let (_, body) = json_of(
        send(
            &app,
            Role::Manager,
            Method::GET,
            &format!("/v1/process-changes/{old}"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(body["status"], "superseded");
    assert_eq!(body["superseded_by"], newer.as_str());

    let approved = record(&app, &p, "Pack", &["sales"]).await;
    approve(&app, &approved).await;
    // Approving anything but a draft.
    for id in [&approved, &newer, &old] {
        let res = send(
            &app,
            Role::Manager,
            Method::POST,
            &format!("/v1/process-changes/{id}/approve"),
            None,
        )
        .await;
        assert_eq!(problem(res).await.0, 409, "approve {id}");
        let res = app
            .as_role(
                Role::Documenter,
                Method::PATCH,
                &format!("/v1/process-changes/{id}"),
            )
            .header("if-match", "*")
            .json(&json!({"step": "X"}))
            .send()
            .await
            .unwrap();
        assert_eq!(problem(res).await.0, 409, "edit {id}");
    }
    // A notice takes approved changes only: not a draft, not a published or superseded one.
    let draft = record(&app, &p, "Count", &["sales"]).await;
    for id in [&draft, &newer, &old] {
        let res = send(
            &app,
            Role::Documenter,
            Method::POST,
            &format!("/v1/projects/{p}/notices"),
            Some(json!({"title": "T", "change_ids": [id]})),
        )
        .await;
        assert_eq!(problem(res).await.0, 409, "notice of {id}");
    }
    // Two notices of one approved change: the second to publish finds it published.
    let a = notice(&app, &p, &[&approved]).await;
    let b = notice(&app, &p, &[&approved]).await;
    publish(&app, &a).await;
    let res = send(
        &app,
        Role::Manager,
        Method::POST,
        &format!("/v1/notices/{b}/publish"),
        None,
    )
    .await;
    assert_eq!(problem(res).await.0, 409);
    let res = send(
        &app,
        Role::Manager,
        Method::POST,
        &format!("/v1/notices/{a}/publish"),
        None,
    )
    .await;
    assert_eq!(problem(res).await.0, 409, "a notice is published once");
}

#[actix_web::test]
async fn documenters_record_and_edit_managers_approve_either_publishes_and_admins_do_all() {
    let app = spawn().await;
    let p = project(&app).await;
    let create = format!("/v1/projects/{p}/process-changes");
    for role in [
        Role::Manager,
        Role::Trainer,
        Role::Integration,
        Role::Service,
    ] {
        let res = send(
            &app,
            role,
            Method::POST,
            &create,
            Some(change_body("A", &["sales"])),
        )
        .await;
        assert_eq!(problem(res).await.0, 403, "{role:?} records");
    }
    let member = app
        .client
        .post(app.url(&create))
        .bearer_auth(continuity_shared::testing::MEMBER_E1)
        .json(&change_body("A", &["sales"]))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(member).await.0, 403);
    let anon = app
        .client
        .post(app.url(&create))
        .json(&change_body("A", &["sales"]))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(anon).await.0, 401);
    let res = send(
        &app,
        Role::Admin,
        Method::POST,
        &create,
        Some(change_body("A", &["sales"])),
    )
    .await;
    assert_eq!(res.status(), 201);

    let id = record(&app, &p, "B", &["sales"]).await;
    let path = format!("/v1/process-changes/{id}");
    for role in [
        Role::Manager,
        Role::Trainer,
        Role::Integration,
        Role::Service,
    ] {
        let res = app
            .as_role(role, Method::PATCH, &path)
            .header("if-match", "*")
            .json(&json!({"reason": "r"}))
            .send()
            .await
            .unwrap();
        assert_eq!(problem(res).await.0, 403, "{role:?} edits");
    }
    let res = app
        .as_role(Role::Admin, Method::PATCH, &path)
        .header("if-match", "*")
        .json(&json!({"reason": "by admin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    for role in [
        Role::Documenter,
        Role::Trainer,
        Role::Integration,
        Role::Service,
    ] {
        let res = send(&app, role, Method::POST, &format!("{path}/approve"), None).await;
        assert_eq!(problem(res).await.0, 403, "{role:?} approves");
    }
    let res = send(
        &app,
        Role::Admin,
        Method::POST,
        &format!("{path}/approve"),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);

    for role in [Role::Trainer, Role::Integration, Role::Service] {
        let res = send(
            &app,
            role,
            Method::POST,
            &format!("/v1/projects/{p}/notices"),
            Some(json!({"title": "T", "change_ids": [id]})),
        )
        .await;
        assert_eq!(problem(res).await.0, 403, "{role:?} bundles");
    }
    let by_manager = notice(&app, &p, &[&id]).await;
    for role in [Role::Trainer, Role::Integration, Role::Service] {
        let res = send(
            &app,
            role,
            Method::POST,
            &format!("/v1/notices/{by_manager}/publish"),
            None,
        )
        .await;
        assert_eq!(problem(res).await.0, 403, "{role:?} publishes");
    }
    let res = send(
        &app,
        Role::Documenter,
        Method::POST,
        &format!("/v1/notices/{by_manager}/publish"),
        None,
    )
    .await;
    assert_eq!(res.status(), 200, "a documenter publishes too");
    for role in [
        Role::Manager,
        Role::Documenter,
        Role::Trainer,
        Role::Integration,
        Role::Service,
    ] {
        let res = send(&app, role, Method::GET, &path, None).await;
        assert_eq!(res.status(), 200, "{role:?} reads");
    }
}

#[actix_web::test]
async fn the_list_filters_by_process_department_and_status_and_pages() {
    let app = spawn().await;
    let p = project(&app).await;
    let a = record(&app, &p, "A", &["sales"]).await;
    let b = record(&app, &p, "B", &["quality"]).await;
    record(&app, &project(&app).await, "C", &["sales"]).await;
    approve(&app, &b).await;
    let list = |q: &str| format!("/v1/projects/{p}/process-changes{q}");
    let ids = |v: serde_json::Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["change_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, all) = json_of(send(&app, Role::Trainer, Method::GET, &list(""), None).await).await;
    assert_eq!(ids(all), [a.clone(), b.clone()]);
    let (_, sales) = json_of(
        send(
            &app,
            Role::Trainer,
            Method::GET,
            &list("?department=sales"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(ids(sales), std::slice::from_ref(&a));
    let (_, approved) = json_of(
        send(
            &app,
            Role::Trainer,
            Method::GET,
            &list("?status=approved"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(ids(approved), std::slice::from_ref(&b));
    let (_, none) = json_of(
        send(
            &app,
            Role::Trainer,
            Method::GET,
            &list("?process=Other"),
            None,
        )
        .await,
    )
    .await;
    assert!(ids(none).is_empty());
    let (_, page) =
        json_of(send(&app, Role::Trainer, Method::GET, &list("?limit=1"), None).await).await;
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let (_, next) = json_of(
        send(
            &app,
            Role::Trainer,
            Method::GET,
            &list(&format!("?limit=1&cursor={cursor}")),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(ids(next), [b]);
    for bad in ["?status=done", "?department=Sales!", "?limit=0"] {
        let res = send(&app, Role::Trainer, Method::GET, &list(bad), None).await;
        assert_eq!(problem(res).await.0, 422, "{bad}");
    }
}
