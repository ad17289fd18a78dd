//! Health, metrics, request ids, the OpenAPI document and the explorer.

use continuity_shared::auth::Role;
use reqwest::Method;

use crate::helpers::*;

#[actix_web::test]
async fn the_service_is_live_and_ready() {
    let app = spawn().await;
    for path in ["/health/live", "/health/ready"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
    }
}

#[actix_web::test]
async fn metrics_count_requests_by_route_pattern_and_status() {
    let app = spawn().await;
    get_json(&app, "/v1/employees/E404").await;
    let text = metrics(&app).await;
    assert!(
        text.contains(r#"continuity_http_requests_total{method="GET",route="/v1/employees/{employee_id}",status="404",service="staffing"} 1"#),
        "{text}"
    );
    assert!(text.contains("continuity_http_request_duration_seconds_bucket"));
}

#[actix_web::test]
async fn every_response_carries_a_request_id_and_a_sane_incoming_one_is_kept() {
    let app = spawn().await;
    let res = app
        .client
        .get(app.url("/health/live"))
        .send()
        .await
        .unwrap();
    assert!(!res.headers()["x-request-id"].is_empty());
    let res = app
        .client
        .get(app.url("/health/live"))
        .header("x-request-id", "crm-trace-42")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "crm-trace-42");
}

#[actix_web::test]
async fn the_openapi_document_is_3_1_and_lists_every_route_served() {
    let app = spawn().await;
    let doc: serde_json::Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(
        continuity_shared::testing::dangling_refs(&doc),
        Vec::<String>::new()
    );
    let expected = [
        ("/v1/departments", "get"),
        ("/v1/departments/{code}", "get"),
        ("/v1/departments/{code}", "put"),
        ("/v1/employees", "get"),
        ("/v1/employees/{employee_id}", "get"),
        ("/v1/employees/{employee_id}", "put"),
        ("/v1/employees/import", "post"),
        ("/v1/audit", "get"),
        ("/v1/events/subscriptions", "get"),
        ("/health/live", "get"),
        ("/health/ready", "get"),
        ("/metrics", "get"),
        ("/openapi.json", "get"),
        ("/docs", "get"),
    ];
    for (path, method) in expected {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing"
        );
        // And the route really is served: anything but the 404 of an unknown route.
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let concrete = path
            .replace("{code}", "sales")
            .replace("{employee_id}", "E1");
        let res = app.as_role(Role::Admin, m, &concrete).send().await.unwrap();
        if res.status() == 404 {
            let body: serde_json::Value = res.json().await.unwrap();
            assert_ne!(
                body["detail"], "There is nothing at this path.",
                "{method} {path} not served"
            );
        }
    }
}

#[actix_web::test]
async fn the_explorer_page_is_served_from_the_service_itself() {
    let app = spawn().await;
    let res = app.client.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(res.status(), 308);
    let res = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger"), "{html}");
    assert!(!html.contains("https://"), "no external assets");
    let init = app
        .client
        .get(app.url("/docs/swagger-initializer.js"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(init.contains("/openapi.json"), "{init}");
    assert!(
        init.replace(' ', "").contains(r#""validatorUrl":"none""#),
        "no online validator badge: {init}"
    );
}

/// The value of `metric` for `subscriber` in a `/metrics` text, if the series exists.
fn gauge(text: &str, metric: &str, subscriber: &str) -> Option<String> {
    let label = format!("subscriber=\"{subscriber}\"");
    text.lines()
        .find(|l| l.starts_with(&format!("{metric}{{")) && l.contains(&label))
        .and_then(|l| l.rsplit(' ').next())
        .map(str::to_owned)
}

#[actix_web::test]
async fn outbox_gauges_read_zero_for_every_peer_before_anything_is_queued() {
    let app = spawn().await;
    let metrics = || async {
        let res = app.client.get(app.url("/metrics")).send().await.unwrap();
        res.text().await.unwrap()
    };
    // At start, and again after the dispatcher has refreshed the gauges from the outbox.
    for wait in [0, 1500] {
        tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
        let text = metrics().await;
        for peer in ["training-record", "process-change", "scheduling"] {
            for metric in [
                "continuity_outbox_pending_events",
                "continuity_outbox_dead_events",
            ] {
                assert_eq!(
                    gauge(&text, metric, peer).as_deref(),
                    Some("0"),
                    "{metric} of {peer} after {wait} ms:\n{text}"
                );
            }
        }
    }
}
