//! `GET /v1/attrition/seasonality` over HTTP: the fields, the peaks, and refusals.

use continuity_shared::auth::Role;
use reqwest::Method;

use crate::helpers::*;

#[actix_web::test]
async fn a_post_festival_peak_is_found_and_projected_onto_next_years_dates() {
    let app = spawn().await;
    assert_eq!(
        import(&app, Role::Manager, &festival_history())
            .await
            .status(),
        200
    );
    let q = "/v1/attrition/seasonality?from=2019-01-01&to=2024-12-31";
    let (code, auto) = get(&app, q).await;
    assert_eq!(code, 200, "{auto}");
    assert_eq!(auto["comparison"]["better"], "spring_festival");
    assert_eq!(
        auto["basis"], "spring_festival",
        "the better basis by default"
    );
    assert_eq!(auto["periods"].as_array().unwrap().len(), 13);
    assert_eq!(auto["peaks"][0]["period"], 0, "{}", auto["peaks"]);
    assert!(!auto["peaks"][0]["projected"].as_array().unwrap().is_empty());
    let p0 = &auto["periods"][0];
    for f in [
        "events",
        "average_headcount",
        "rate",
        "rate_low",
        "rate_high",
        "index",
        "p_value",
    ] {
        assert!(p0[f].is_number(), "{f}: {p0}");
    }
    let (code, cal) = get(&app, &format!("{q}&basis=calendar")).await;
    assert_eq!(code, 200);
    assert_eq!(cal["basis"], "calendar");
    assert_eq!(cal["periods"].as_array().unwrap().len(), 12);
    let (code, dept) = get(&app, &format!("{q}&department=quality")).await;
    assert_eq!(code, 200, "{dept}");
    let borrowed = dept["shrinkage"]["borrowed"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&borrowed), "{dept}");
    assert!(dept["periods"][0]["shrunk_rate"].is_number());
    let (code, hires) = get(&app, &format!("{q}&kind=hires&basis=calendar")).await;
    assert_eq!((code, &hires["events"]), (200, &serde_json::json!(0)));
    let res = app
        .as_role(Role::Manager, Method::GET, &format!("{q}&basis=calendar"))
        .header("accept-language", "zh-CN")
        .send()
        .await
        .unwrap();
    let (_, zh) = json_of(res).await;
    assert_eq!(zh["periods"][1]["label"], "2月");
}

#[actix_web::test]
async fn bad_parameters_are_422_problems_naming_the_parameter() {
    let app = spawn().await;
    for (query, field) in [
        ("basis=lunar", "basis"),
        ("kind=leavers", "kind"),
        ("from=2024-02-30", "from"),
        ("to=yesterday", "to"),
        ("from=2025-01-01&to=2024-01-01", "from"),
        ("department=Bad%20Code!", "department"),
        (
            "basis=spring_festival&from=1890-01-01&to=1920-01-01",
            "from",
        ),
        ("from=1900-01-01&to=2099-01-01", "from"),
    ] {
        let res = app
            .as_role(
                Role::Manager,
                Method::GET,
                &format!("/v1/attrition/seasonality?{query}"),
            )
            .send()
            .await
            .unwrap();
        let (code, body) = problem(res).await;
        assert_eq!(code, 422, "{query}: {body}");
        assert_eq!(fields(&body), [field], "{query}");
    }
    let res = app
        .client
        .get(app.url("/v1/attrition/seasonality"))
        .bearer_auth(continuity_shared::testing::MEMBER_E1)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 403);
}
