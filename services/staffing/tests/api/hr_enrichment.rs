//! Events that carry only ids, enriched through the vendor's API: a fake Feishu and DingTalk
//! API (the documented endpoints and answer shapes) started by the test, reached directly
//! or only through the egress proxy; acknowledged at once, enriched outside the request,
//! retried with backoff while the API fails, and ending as the generic webhook's effect.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use continuity_shared::testing::TestApp;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::hr_feishu::{after_resignation, lark_event, send_lark_to, team};
use crate::hr_sources::{DING, KEY, hr_events, post_dingtalk_to};
use crate::hr_webhook::{send, spawn_hr};
use crate::projects::{hire, put_member};

/// What the fake vendor API knows and has seen.
#[derive(Default)]
struct Vendor {
    /// Feishu CoreHR offboardings, by employment id.
    offboardings: HashMap<String, Vec<Value>>,
    /// DingTalk dimission records, by user id.
    dimissions: HashMap<String, Value>,
    /// Data calls answered 500 before the API works again.
    failures_left: u32,
    /// Every request target as it arrived (absolute through a proxy).
    seen: Vec<String>,
}

type Shared = Arc<Mutex<Vendor>>;

fn ok(body: Value) -> HttpResponse {
    HttpResponse::Ok().json(body)
}

async fn vendor_api(req: HttpRequest, body: web::Bytes, state: web::Data<Shared>) -> HttpResponse {
    let mut v = state.lock().unwrap();
    v.seen.push(req.uri().to_string());
    let header = |name| req.headers().get(name).and_then(|h| h.to_str().ok());
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let query: HashMap<String, String> =
        web::Query::<HashMap<String, String>>::from_query(req.query_string())
            .map(|q| q.into_inner())
            .unwrap_or_default();
    let mut failing = || {
        let fail = v.failures_left > 0;
        v.failures_left = v.failures_left.saturating_sub(1);
        fail
    };
    match req.path() {
        "/open-apis/auth/v3/tenant_access_token/internal" => {
            match (&body["app_id"], &body["app_secret"]) {
                (Value::String(id), Value::String(secret))
                    if id == "cli_ours" && secret == "fs-secret" =>
                {
                    ok(
                        json!({"code": 0, "msg": "ok", "tenant_access_token": "t-fs", "expire": 7200}),
                    )
                }
                _ => ok(json!({"code": 10014, "msg": "app secret invalid"})),
            }
        }
        "/open-apis/corehr/v1/offboardings/search" => {
            if header("authorization") != Some("Bearer t-fs") {
                return ok(json!({"code": 99991663, "msg": "invalid access token"}));
            }
            assert_eq!(
                query.get("user_id_type").map(String::as_str),
                Some("people_corehr_id")
            );
            if failing() {
                return HttpResponse::InternalServerError().body("upstream unavailable");
            }
            let employment = body["employment_ids"][0].as_str().unwrap_or_default();
            let items = v.offboardings.get(employment).cloned().unwrap_or_default();
            ok(json!({"code": 0, "msg": "ok", "data": {"items": items, "has_more": false}}))
        }
        "/v1.0/oauth2/accessToken" => match (&body["appKey"], &body["appSecret"]) {
            (Value::String(k), Value::String(s)) if k == DING && s == "dd-secret" => {
                ok(json!({"accessToken": "t-dd", "expireIn": 7200}))
            }
            _ => HttpResponse::BadRequest().json(json!({"code": "invalidClientId"})),
        },
        "/v1.0/hrm/employees/dimissionInfos" => {
            if header("x-acs-dingtalk-access-token") != Some("t-dd") {
                return HttpResponse::Unauthorized().json(json!({"code": "InvalidAuthentication"}));
            }
            if failing() {
                return HttpResponse::InternalServerError().body("upstream unavailable");
            }
            let users: Vec<String> =
                serde_json::from_str(query.get("userIdList").map_or("[]", String::as_str)).unwrap();
            let result: Vec<Value> = users
                .iter()
                .filter_map(|u| v.dimissions.get(u).cloned())
                .collect();
            ok(json!({ "result": result }))
        }
        _ => HttpResponse::NotFound().finish(),
    }
}

/// The fake vendor API on a random port: its base URL and what it knows.
async fn start_vendor() -> (String, Shared) {
    let state: Shared = Arc::default();
    let data = web::Data::new(state.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .default_service(web::to(vendor_api))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let port = server.addrs()[0].port();
    actix_web::rt::spawn(server.run());
    (format!("http://127.0.0.1:{port}"), state)
}

/// Staffing with Feishu source `fe` and DingTalk source `de`, both with API credentials;
/// `proxy` set, the API is reached only through it (its base URL does not resolve).
async fn spawn_enriching(base: &str, proxy: Option<&str>, extra: &[(&str, &str)]) -> TestApp {
    let base = proxy.map_or(base, |_| "http://vendor-api.invalid");
    let mut env = vec![
        ("CONTINUITY_STAFFING__HR_SOURCES__FE__VENDOR", "feishu"),
        (
            "CONTINUITY_STAFFING__HR_SOURCES__FE__ENCRYPT_KEY",
            crate::hr_sources::FS_KEY,
        ),
        (
            "CONTINUITY_STAFFING__HR_SOURCES__FE__VERIFICATION_TOKEN",
            crate::hr_sources::FS_TOKEN,
        ),
        ("CONTINUITY_STAFFING__HR_SOURCES__FE__APP_ID", "cli_ours"),
        (
            "CONTINUITY_STAFFING__HR_SOURCES__FE__APP_SECRET",
            "fs-secret",
        ),
        ("CONTINUITY_STAFFING__HR_SOURCES__FE__API_BASE_URL", base),
        ("CONTINUITY_STAFFING__HR_SOURCES__DE__VENDOR", "dingtalk"),
        ("CONTINUITY_STAFFING__HR_SOURCES__DE__TOKEN", "dingtoken"),
        ("CONTINUITY_STAFFING__HR_SOURCES__DE__ENCODING_AES_KEY", KEY),
        ("CONTINUITY_STAFFING__HR_SOURCES__DE__RECEIVE_ID", DING),
        ("CONTINUITY_STAFFING__HR_SOURCES__DE__APP_KEY", DING),
        (
            "CONTINUITY_STAFFING__HR_SOURCES__DE__APP_SECRET",
            "dd-secret",
        ),
        ("CONTINUITY_STAFFING__HR_SOURCES__DE__API_BASE_URL", base),
        ("CONTINUITY_STAFFING__HR_API__POLL_MILLIS", "20"),
        ("CONTINUITY_STAFFING__HR_API__TIMEOUT_SECS", "5"),
    ];
    if let Some(proxy) = proxy {
        env.push(("CONTINUITY_STAFFING__HR_API__PROXY", proxy));
    }
    env.extend_from_slice(extra);
    spawn_hr(&env).await
}

/// The stored event of `webhook_id` once it is no longer `enriching` (10 s at most).
async fn settled(app: &TestApp, webhook_id: &str) -> Value {
    for _ in 0..500 {
        let events = hr_events(app).await;
        let event = events.iter().find(|e| e["webhook_id"] == webhook_id);
        if let Some(e) = event.filter(|e| e["status"] != "enriching") {
            return e.clone();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "{webhook_id} is still enriching: {:?}",
        hr_events(app).await
    )
}

fn offboarding(id: &str, date: &str) -> Value {
    json!({"offboarding_id": id, "status": "Approving",
        "offboarding_info": {"employment_id": "emp-A", "expected_offboarding_date": date}})
}

fn status_updated(event_id: &str, status: u8) -> Value {
    lark_event(
        event_id,
        "corehr.offboarding.status_updated_v2",
        json!({"employment_id": "emp-A", "offboarding_id": "off-1", "process_id": "p1",
            "status": status, "target_user_id": {"user_id": "A", "open_id": "ou_a"}}),
    )
}

#[actix_web::test]
async fn a_feishu_offboarding_submitted_approved_then_effective_ends_as_the_generic_webhooks_handover()
 {
    let (base, vendor) = start_vendor().await;
    let generic = spawn_enriching(&base, None, &[]).await;
    let p = team(&generic).await;
    let today = generic.clock.today();
    let first_day = today + chrono::Duration::days(45);
    let last_day = today + chrono::Duration::days(60);
    let resigned = json!({"type": "employee.resigned", "data": {"employee_id": "A",
        "notice_date": today, "last_working_day": last_day}});
    assert_eq!(send(&generic, "hr-1", &resigned).await.status(), 202);
    let expected = after_resignation(&generic, &p).await;

    let app = spawn_enriching(&base, None, &[]).await;
    let p = team(&app).await;
    let put = |date: chrono::NaiveDate| {
        let item = offboarding("off-1", &date.to_string());
        let stale = offboarding("off-0", "2025-01-01");
        vendor
            .lock()
            .unwrap()
            .offboardings
            .insert("emp-A".into(), vec![stale, item]);
    };
    put(first_day);
    let submitted = status_updated("ev-off-1", 1);
    assert_eq!(send_lark_to(&app, "fe", &submitted).await.status(), 200);
    let e = settled(&app, "fe:ev-off-1").await;
    assert_eq!(
        (&e["type"], &e["status"]),
        (&json!("employee.resigned"), &json!("applied"))
    );
    assert_eq!(e["data"]["last_working_day"], json!(first_day));

    // The approval moves the date; delivered twice, then ten times at once.
    put(last_day);
    let approved = status_updated("ev-off-2", 2);
    for _ in 0..2 {
        assert_eq!(send_lark_to(&app, "fe", &approved).await.status(), 200);
    }
    let burst = (0..10).map(|_| send_lark_to(&app, "fe", &approved));
    for res in futures_util::future::join_all(burst).await {
        assert_eq!(res.status(), 200);
    }
    settled(&app, "fe:ev-off-2").await;
    assert_eq!(after_resignation(&app, &p).await, expected);

    let effective = status_updated("ev-off-3", 3);
    vendor.lock().unwrap().offboardings.insert(
        "emp-A".into(),
        vec![json!({"offboarding_id": "off-1", "status": "Offboarded",
            "offboarding_info": {"offboarding_date": last_day.to_string(),
                "expected_offboarding_date": first_day.to_string()}})],
    );
    assert_eq!(send_lark_to(&app, "fe", &effective).await.status(), 200);
    let e = settled(&app, "fe:ev-off-3").await;
    assert_eq!(
        (&e["type"], &e["status"]),
        (&json!("employee.terminated"), &json!("applied"))
    );
    assert_eq!(
        after_resignation(&app, &p).await,
        expected,
        "still one handover, same day"
    );
    let events = hr_events(&app).await;
    assert_eq!(events.len(), 3, "each offboarding event once: {events:?}");

    // Withdrawn needs no API: rescinded at once.
    let withdrawn = status_updated("ev-off-4", 4);
    assert_eq!(send_lark_to(&app, "fe", &withdrawn).await.status(), 200);
    let e = settled(&app, "fe:ev-off-4").await;
    assert_eq!(e["type"], "employee.resignation_rescinded");
}

#[actix_web::test]
async fn a_dingtalk_departure_is_enriched_with_its_last_day_and_the_successor_hr_named() {
    let (base, vendor) = start_vendor().await;
    let app = spawn_enriching(&base, None, &[]).await;
    let p = team(&app).await;
    hire(&app, "C", "sales", "2020-01-01").await;
    put_member(&app, &p, "C", json!({"role": "member"})).await;
    let last_day = app.clock.today() + chrono::Duration::days(20);
    let last_ms = chrono::NaiveDateTime::from(last_day)
        .and_utc()
        .timestamp_millis();
    vendor.lock().unwrap().dimissions.insert(
        "A".into(),
        json!({"userId": "A", "lastWorkDay": last_ms, "status": 1, "handoverUserId": "C",
            "reasonMemo": "moving", "preStatus": 3}),
    );
    let leave = json!({"EventType": "hrm_mdm_user_change", "changeType": 4, "userId": ["A"],
        "EventId": "dd-ev-1", "TimeStamp": "1790000000000"});
    let res = post_dingtalk_to(&app, "de", &leave, false).await;
    assert_eq!(res.status(), 200);
    let e = settled(&app, "de:dd-ev-1:A").await;
    assert_eq!(
        (&e["type"], &e["status"]),
        (&json!("employee.resigned"), &json!("applied"))
    );
    assert_eq!(e["data"]["successor_employee_id"], "C");
    let (_, a) = get_json(&app, "/v1/employees/A").await;
    assert_eq!(
        (&a["status"], &a["last_working_day"]),
        (&json!("leaving"), &json!(last_day))
    );
    let (_, page) = get_json(&app, &format!("/v1/handovers?project={p}")).await;
    let h = &page["items"][0];
    assert_eq!(
        (
            &h["successor"]["proposal"],
            &h["successor"]["assigned_employee_id"]
        ),
        (&json!("named_by_hr"), &json!("C")),
        "HR's choice comes ahead of the designated backup B: {h}"
    );

    // A person removed without HR's process has no record: a departure that day.
    let gone = json!({"EventType": "user_leave_org", "UserId": ["B"], "EventId": "dd-ev-2",
        "TimeStamp": "1790000000000"});
    assert_eq!(
        post_dingtalk_to(&app, "de", &gone, false).await.status(),
        200
    );
    let e = settled(&app, "de:dd-ev-2:B").await;
    assert_eq!(e["type"], "employee.terminated");
    assert_eq!(e["data"]["last_working_day"], json!(app.clock.today()));
}

#[actix_web::test]
async fn an_api_down_for_a_while_delays_nothing_but_the_enrichment_and_loses_nothing() {
    let (base, vendor) = start_vendor().await;
    let app = spawn_enriching(&base, None, &[]).await;
    team(&app).await;
    vendor
        .lock()
        .unwrap()
        .offboardings
        .insert("emp-A".into(), vec![offboarding("off-1", "2027-01-15")]);
    vendor.lock().unwrap().failures_left = 3;
    let started = std::time::Instant::now();
    let res = send_lark_to(&app, "fe", &status_updated("ev-down", 2)).await;
    assert_eq!(res.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "acknowledged at once"
    );

    // Each failure waits its backoff on the service's clock: 30 s, then 60 s, then 120 s.
    for (failures, wait) in [(1, 30), (2, 60), (3, 120)] {
        let e = wait_for(&app, "fe:ev-down", |e| e["attempts"] == failures).await;
        assert_eq!(e["status"], "enriching");
        assert!(e["problem"].as_str().unwrap().contains("HTTP 500"), "{e}");
        let (status, listed) = get_json(&app, "/v1/hr/events?status=enriching").await;
        assert_eq!(
            (status, listed["items"].as_array().unwrap().len()),
            (200, 1)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(
            vendor.lock().unwrap().failures_left,
            3 - failures,
            "not tried again before its time"
        );
        app.clock.advance(chrono::Duration::seconds(wait));
    }
    let e = settled(&app, "fe:ev-down").await;
    assert_eq!(
        (&e["status"], &e["data"]["last_working_day"]),
        (&json!("applied"), &json!("2027-01-15"))
    );

    assert_metrics(
        &app,
        &[
            r#"outcome="enrichment_failed",source="fe",service="staffing"} 3"#,
            r#"outcome="enriched",source="fe",service="staffing"} 1"#,
            r#"outcome="received",source="fe",service="staffing"} 1"#,
            r#"outcome="received",source="de",service="staffing"} 0"#,
        ],
    )
    .await;
}

#[actix_web::test]
async fn an_enrichment_given_up_is_listed_unmatched_and_a_replay_tries_again() {
    let (base, vendor) = start_vendor().await;
    let app = spawn_enriching(
        &base,
        None,
        &[("CONTINUITY_STAFFING__HR_API__MAX_ATTEMPTS", "2")],
    )
    .await;
    team(&app).await;
    vendor.lock().unwrap().failures_left = 100;
    let res = send_lark_to(&app, "fe", &status_updated("ev-never", 2)).await;
    assert_eq!(res.status(), 200);
    wait_for(&app, "fe:ev-never", |e| e["attempts"] == 1).await;
    app.clock.advance(chrono::Duration::seconds(30));
    let e = settled(&app, "fe:ev-never").await;
    assert_eq!(
        (&e["status"], &e["attempts"]),
        (&json!("unmatched"), &json!(2))
    );
    assert!(
        e["problem"].as_str().unwrap().contains("given up after 2"),
        "{e}"
    );

    {
        let mut v = vendor.lock().unwrap();
        v.failures_left = 0;
        v.offboardings
            .insert("emp-A".into(), vec![offboarding("off-1", "2027-02-01")]);
    }
    let id = e["id"].as_str().unwrap();
    let res = app
        .as_role(
            continuity_shared::auth::Role::Admin,
            reqwest::Method::POST,
            &format!("/v1/hr/events/{id}/replay"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let e = settled(&app, "fe:ev-never").await;
    assert_eq!(
        (&e["status"], &e["type"]),
        (&json!("applied"), &json!("employee.resigned"))
    );
}

#[actix_web::test]
async fn the_vendor_api_is_called_through_the_egress_proxy_when_one_is_set() {
    let (proxy, vendor) = start_vendor().await;
    let app = spawn_enriching("unused", Some(&proxy), &[]).await;
    team(&app).await;
    vendor
        .lock()
        .unwrap()
        .offboardings
        .insert("emp-A".into(), vec![offboarding("off-1", "2027-03-01")]);
    let res = send_lark_to(&app, "fe", &status_updated("ev-proxy", 1)).await;
    assert_eq!(res.status(), 200);
    let e = settled(&app, "fe:ev-proxy").await;
    assert_eq!(e["status"], "applied", "{e}");
    let seen = vendor.lock().unwrap().seen.clone();
    assert!(
        seen.iter()
            .all(|uri| uri.starts_with("http://vendor-api.invalid/")),
        "every call went through the proxy in absolute form: {seen:?}"
    );
    assert_eq!(seen.len(), 2, "the sign-in and the search: {seen:?}");
}

/// The stored event of `webhook_id` once `done` holds (10 s at most).
async fn wait_for(app: &TestApp, webhook_id: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..500 {
        let events = hr_events(app).await;
        if let Some(e) = events
            .iter()
            .find(|e| e["webhook_id"] == webhook_id && done(e))
        {
            return e.clone();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{webhook_id} never got there: {:?}", hr_events(app).await)
}
