//! The seasonality and a recommendation drawn as SVG.

use continuity_shared::auth::Role;
use continuity_shared::testing::TestApp;
use reqwest::Method;

use crate::helpers::*;
use crate::recommendations::{PROJECT, recommend, staffed_project, window};

/// The picture's content type and the text a browser shows, element by element.
async fn picture(app: &TestApp, path: &str, lang: &str) -> (u16, String, Vec<String>) {
    let res = app
        .as_role(Role::Manager, Method::GET, path)
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    let code = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = res.text().await.unwrap();
    assert!(code != 200 || body.starts_with("<svg"), "{body}");
    let texts = body
        .split("<text")
        .skip(1)
        .filter_map(|t| {
            Some(
                t.split_once('>')?
                    .1
                    .split_once("</text>")?
                    .0
                    .trim()
                    .to_owned(),
            )
        })
        .collect();
    (code, kind, texts)
}

#[actix_web::test]
async fn the_seasonality_is_drawn_with_a_bar_per_period_in_the_callers_language() {
    let app = spawn().await;
    assert_eq!(
        import(&app, Role::Manager, &festival_history())
            .await
            .status(),
        200
    );
    let (code, json) = get(&app, "/v1/attrition/seasonality?basis=calendar").await;
    assert_eq!(code, 200, "{json}");
    let (code, kind, texts) =
        picture(&app, "/v1/attrition/seasonality.svg?basis=calendar", "en").await;
    assert_eq!(code, 200);
    assert!(kind.starts_with("image/svg+xml"), "{kind}");
    for p in json["periods"].as_array().unwrap() {
        let label = p["label"].as_str().unwrap();
        assert!(texts.iter().any(|t| t == label), "{label} in {texts:?}");
    }
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Departures per person-month by calendar month"))
    );
    let (_, _, zh) = picture(
        &app,
        "/v1/attrition/seasonality.svg?basis=spring_festival&kind=hires",
        "zh-CN",
    )
    .await;
    assert!(
        zh.iter()
            .any(|t| t.starts_with("按春节起每 28 天统计的每人月入职率")),
        "{zh:?}"
    );
    assert!(zh.iter().any(|t| t == "春节后期间"));
    // The same refusals as the JSON answer.
    let res = app
        .as_role(
            Role::Manager,
            Method::GET,
            "/v1/attrition/seasonality.svg?basis=lunar",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 422);
}

#[actix_web::test]
async fn a_recommendation_is_drawn_from_its_id_with_the_best_candidates_first() {
    let app = spawn().await;
    staffed_project(&app).await;
    let (code, body) = json_of(recommend(&app, PROJECT, window(), "en").await).await;
    assert_eq!(code, 200, "{body}");
    let id = body["id"].as_str().unwrap();
    assert_eq!(id, "2027-01-01_2028-06-01_4_3_90", "the defaults filled in");
    let path = format!("/v1/projects/{PROJECT}/schedule/recommendations/{id}.svg");
    let (code, kind, texts) = picture(&app, &path, "en").await;
    assert_eq!(code, 200, "{texts:?}");
    assert!(kind.starts_with("image/svg+xml"));
    let best = &body["candidates"][0];
    let first = format!("#1 {}", best["start"].as_str().unwrap());
    assert!(
        texts.iter().any(|t| t.starts_with(&first)),
        "{first} in {texts:?}"
    );
    assert!(texts.iter().any(|t| t.starts_with("#5 ")));
    assert!(
        !texts.iter().any(|t| t.starts_with("#6 ")),
        "the best five only"
    );
    assert!(texts.iter().any(|t| t == "Resignation peak"));
    let (_, _, zh) = picture(&app, &path, "zh-CN").await;
    assert!(
        zh.iter().any(|t| t == "离职高峰" || t == "稳定期"),
        "{zh:?}"
    );

    for bad in [
        "2027-01-01_2028-06-01_4_3",
        "x_y_1_2_3",
        "2027-01-01_2028-06-01_99_3_90",
    ] {
        let (code, _, _) = picture(
            &app,
            &format!("/v1/projects/{PROJECT}/schedule/recommendations/{bad}.svg"),
            "en",
        )
        .await;
        assert_eq!(code, 422, "{bad}");
    }
    let unknown = "01938a6e-0000-7000-8000-0000000000ff";
    let (code, _, _) = picture(
        &app,
        &format!("/v1/projects/{unknown}/schedule/recommendations/{id}.svg"),
        "en",
    )
    .await;
    assert_eq!(code, 404);
}
