//! Publishing notices: who is asked to acknowledge, supersession, and the printable forms.

use continuity_shared::auth::Role;
use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn publishing_to_departments_of_30_and_12_asks_42_people_and_not_who_left() {
    let app = spawn().await;
    staff(&app, "sales", "S", 30).await;
    staff(&app, "quality", "Q", 12).await;
    staff(&app, "it", "I", 3).await;
    employee(&app, "GONE", "sales", "left").await;
    let p = project(&app).await;
    let a = record(&app, &p, "Quote", &["sales"]).await;
    let b = record(&app, &p, "Inspect", &["quality", "sales"]).await;
    approve(&app, &a).await;
    approve(&app, &b).await;
    let n = notice(&app, &p, &[&a, &b]).await;
    let body = publish(&app, &n).await;
    assert_eq!(
        body["acknowledgments"],
        json!({"acknowledged": 0, "pending": 42, "not_required": 0})
    );
    assert_eq!(body["number"], 1);
    assert_eq!(body["reference"], "LN-0001");
    let depts: Vec<_> = body["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].clone(), d["acknowledgments"]["pending"].clone()))
        .collect();
    assert_eq!(
        depts,
        [(json!("quality"), json!(12)), (json!("sales"), json!(30))]
    );
    assert!(pending_of(&app, "GONE").await.is_empty());
    assert!(pending_of(&app, "I0").await.is_empty());
    assert_eq!(pending_of(&app, "S0").await, std::slice::from_ref(&n));

    // A transfer in adds one; a hire adds one; someone leaving is closed as not required.
    event(&app, "employee.upserted", json!({"employee_id": "I0", "name": "Person I0",
        "department_code": "sales", "hire_date": "2024-01-02", "status": "active", "last_working_day": null})).await;
    employee(&app, "NEW", "quality", "active").await;
    employee(&app, "S1", "sales", "left").await;
    let (_, body) = json_of(
        send(
            &app,
            Role::Manager,
            Method::GET,
            &format!("/v1/notices/{n}"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        body["acknowledgments"],
        json!({"acknowledged": 0, "pending": 43, "not_required": 1})
    );
    assert_eq!(pending_of(&app, "I0").await, std::slice::from_ref(&n));
    assert!(pending_of(&app, "S1").await.is_empty());
    // The same event again changes nothing.
    employee(&app, "NEW", "quality", "active").await;
    let (_, again) = json_of(
        send(
            &app,
            Role::Manager,
            Method::GET,
            &format!("/v1/notices/{n}"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(again["acknowledgments"]["pending"], 43);
}

#[actix_web::test]
async fn a_newer_change_supersedes_the_old_and_the_old_notice_stops_being_current() {
    let app = spawn().await;
    staff(&app, "sales", "S", 2).await;
    let p = project(&app).await;
    let (old, first) = published(&app, &p, "Quote", &["sales"]).await;
    let (newer, second) = published(&app, &p, "Quote", &["sales"]).await;
    let (_, body) = json_of(
        send(
            &app,
            Role::Manager,
            Method::GET,
            &format!("/v1/notices/{first}"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(body["current"], false);
    assert_eq!(body["changes"][0]["status"], "superseded");
    let (_, body) = json_of(
        send(
            &app,
            Role::Manager,
            Method::GET,
            &format!("/v1/notices/{second}"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(body["current"], true);
    // A newcomer is asked only for the current notice.
    employee(&app, "LATE", "sales", "active").await;
    assert_eq!(
        pending_of(&app, "LATE").await,
        std::slice::from_ref(&second)
    );
    let (_, cmp) = json_of(
        send(
            &app,
            Role::Trainer,
            Method::GET,
            &format!("/v1/projects/{p}/process-changes/comparison"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(cmp["processes"][0]["steps"].as_array().unwrap().len(), 1);
    assert_eq!(cmp["processes"][0]["steps"][0]["change_id"], newer.as_str());
    let _ = old;
    let csv = app
        .as_role(
            Role::Trainer,
            Method::GET,
            &format!("/v1/projects/{p}/process-changes/comparison"),
        )
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("process,step,before,after"), "{text}");
    assert_eq!(text.lines().count(), 2);
    let html = app
        .as_role(
            Role::Trainer,
            Method::GET,
            &format!("/v1/projects/{p}/process-changes/comparison"),
        )
        .header("accept", "text/html")
        .header("accept-language", "zh-CN")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("流程变更对照表") && html.contains("Approval in the CRM"));
}

#[actix_web::test]
async fn the_notice_prints_as_html_and_markdown_in_both_languages_with_everything_escaped() {
    let app = spawn().await;
    staff(&app, "sales", "S", 2).await;
    let p = project(&app).await;
    let mut body = change_body("<b>Sign</b>", &["sales"]);
    body["before"] = json!("Paper <script>alert(1)</script> | form");
    body["after"] = json!("CRM & \"approval\"");
    let res = send(
        &app,
        Role::Documenter,
        Method::POST,
        &format!("/v1/projects/{p}/process-changes"),
        Some(body),
    )
    .await;
    let (_, c) = json_of(res).await;
    let c = c["change_id"].as_str().unwrap().to_owned();
    approve(&app, &c).await;
    let n = notice(&app, &p, &[&c]).await;
    publish(&app, &n).await;
    let get = |accept: &'static str, lang: &'static str| {
        app.as_role(Role::Manager, Method::GET, &format!("/v1/notices/{n}"))
            .header("accept", accept)
            .header("accept-language", lang)
            .send()
    };
    let res = get("text/html", "zh-CN,zh;q=0.9").await.unwrap();
    assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8");
    let html = res.text().await.unwrap();
    assert!(
        html.contains("流程变更联络单") && html.contains("变更前") && html.contains("LN-0001"),
        "{html}"
    );
    assert!(!html.contains("<script>") && !html.contains("<b>Sign"));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
            && html.contains("CRM &amp; &quot;approval&quot;")
    );
    let html = get("text/html", "en").await.unwrap().text().await.unwrap();
    assert!(
        html.contains("Liaison notice")
            && html.contains("Before")
            && html.contains("0 of 2 acknowledged")
    );
    let md = get("text/markdown", "en")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        md.contains("| Before | After |")
            && md.contains("Paper \\<script\\>alert\\(1\\)\\<\\/script\\> \\| form"),
        "{md}"
    );
    let md = get("text/markdown", "zh-CN")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(md.contains("变更原因"));
    let json = get("application/json", "en").await.unwrap();
    assert!(
        json.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
}
