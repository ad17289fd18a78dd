//! HR sources at the door: WeCom's and DingTalk's callbacks (Feishu's in `hr_feishu`), signed and encrypted as the
//! vendors do (the crypto itself is checked against published and independent vectors
//! in its unit tests), stored and applied through the HR event path.

use continuity_shared::testing::TestApp;
use reqwest::Response;
use serde_json::{Value, json};
use staffing::hr_sources::callback_crypto::CallbackCrypto;

use crate::helpers::*;
use crate::hr_webhook::spawn_hr;

pub const KEY: &str = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt";
const CORP: &str = "ww1436e0e65a779aee";
pub const DING: &str = "dingappkey";
/// Feishu source `fs` encrypts (and signs); `fp` only has the Verification Token.
pub const FS_KEY: &str = "fs-encrypt-key";
pub const FS_TOKEN: &str = "fs-verification-token";

pub async fn spawn_sources() -> TestApp {
    spawn_hr(&[
        ("CONTINUITY_STAFFING__HR_SOURCES__WX__VENDOR", "wecom"),
        ("CONTINUITY_STAFFING__HR_SOURCES__WX__TOKEN", "QDG6eK"),
        ("CONTINUITY_STAFFING__HR_SOURCES__WX__ENCODING_AES_KEY", KEY),
        ("CONTINUITY_STAFFING__HR_SOURCES__WX__RECEIVE_ID", CORP),
        (
            "CONTINUITY_STAFFING__HR_SOURCES__WX__DEPARTMENTS__2",
            "sales",
        ),
        ("CONTINUITY_STAFFING__HR_SOURCES__DD__VENDOR", "dingtalk"),
        ("CONTINUITY_STAFFING__HR_SOURCES__DD__TOKEN", "dingtoken"),
        ("CONTINUITY_STAFFING__HR_SOURCES__DD__ENCODING_AES_KEY", KEY),
        ("CONTINUITY_STAFFING__HR_SOURCES__DD__RECEIVE_ID", DING),
        ("CONTINUITY_STAFFING__HR_SOURCES__FS__VENDOR", "feishu"),
        ("CONTINUITY_STAFFING__HR_SOURCES__FS__ENCRYPT_KEY", FS_KEY),
        (
            "CONTINUITY_STAFFING__HR_SOURCES__FS__VERIFICATION_TOKEN",
            FS_TOKEN,
        ),
        ("CONTINUITY_STAFFING__HR_SOURCES__FS__APP_ID", "cli_ours"),
        (
            "CONTINUITY_STAFFING__HR_SOURCES__FS__DEPARTMENTS__OD123",
            "sales",
        ),
        (
            "CONTINUITY_STAFFING__HR_SOURCES__FS__DEPARTMENTS__OD456",
            "it",
        ),
        ("CONTINUITY_STAFFING__HR_SOURCES__FP__VENDOR", "feishu"),
        (
            "CONTINUITY_STAFFING__HR_SOURCES__FP__VERIFICATION_TOKEN",
            FS_TOKEN,
        ),
    ])
    .await
}

fn wecom() -> CallbackCrypto {
    CallbackCrypto::new("QDG6eK", KEY, CORP).unwrap()
}

fn dingtalk() -> CallbackCrypto {
    CallbackCrypto::new("dingtoken", KEY, DING).unwrap()
}

fn contact(change: &str, user: &str, created: i64, extra: &str) -> String {
    format!(
        "<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>\
         <CreateTime>{created}</CreateTime><MsgType><![CDATA[event]]></MsgType>\
         <Event><![CDATA[change_contact]]></Event><ChangeType><![CDATA[{change}]]></ChangeType>\
         <UserID><![CDATA[{user}]]></UserID>{extra}</xml>"
    )
}

/// Posts `message` to WeCom source `wx` as WeCom does; `tamper` spoils the signature.
async fn post_wecom(app: &TestApp, message: &str, tamper: bool) -> Response {
    post_wecom_skewed(app, message, tamper, 0).await
}

/// Like [`post_wecom`], its timestamp `skew` seconds off the app's clock.
async fn post_wecom_skewed(app: &TestApp, message: &str, tamper: bool, skew: i64) -> Response {
    let c = wecom();
    let encrypt = c.encrypt(message.as_bytes());
    let ts = (app.clock.now().timestamp() + skew).to_string();
    let (ts, nonce) = (ts.as_str(), "1372623149");
    let mut sig = c.signature(ts, nonce, &encrypt);
    if tamper {
        sig = sig.replace(&sig[..1], if sig.starts_with('a') { "b" } else { "a" });
    }
    let body = format!(
        "<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>"
    );
    app.client
        .post(app.url(&format!(
            "/v1/hr/sources/wx/events?msg_signature={sig}&timestamp={ts}&nonce={nonce}"
        )))
        .header("content-type", "application/xml")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn post_dingtalk(app: &TestApp, message: &Value, tamper: bool) -> Response {
    post_dingtalk_to(app, "dd", message, tamper).await
}

/// Posts `message` to DingTalk source `source` (keyed like `dd`), signed at the app's time.
pub async fn post_dingtalk_to(
    app: &TestApp,
    source: &str,
    message: &Value,
    tamper: bool,
) -> Response {
    post_dingtalk_skewed(app, source, message, tamper, 0).await
}

/// Like [`post_dingtalk_to`], its timestamp `skew` seconds off the app's clock.
async fn post_dingtalk_skewed(
    app: &TestApp,
    source: &str,
    message: &Value,
    tamper: bool,
    skew: i64,
) -> Response {
    let c = dingtalk();
    let encrypt = c.encrypt(message.to_string().as_bytes());
    let ts = (app.clock.now().timestamp_millis() + skew * 1000).to_string();
    let (ts, nonce) = (ts.as_str(), "abc123");
    let sig = if tamper {
        c.signature(ts, "other", &encrypt)
    } else {
        c.signature(ts, nonce, &encrypt)
    };
    app.client
        .post(app.url(&format!(
            "/v1/hr/sources/{source}/events?signature={sig}&timestamp={ts}&nonce={nonce}"
        )))
        .json(&json!({ "encrypt": encrypt }))
        .send()
        .await
        .unwrap()
}

pub async fn hr_events(app: &TestApp) -> Vec<Value> {
    let (status, page) = get_json(app, "/v1/hr/events?limit=500").await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().unwrap().clone()
}

pub async fn employee_status(app: &TestApp, id: &str) -> Value {
    let (status, body) = get_json(app, &format!("/v1/employees/{id}")).await;
    assert_eq!(status, 200, "{body}");
    body["status"].clone()
}

#[actix_web::test]
async fn wecom_url_check_answers_the_bare_echostr_and_refuses_a_bad_signature() {
    let app = spawn_sources().await;
    let c = wecom();
    let echostr = c.encrypt(b"4385397183218374");
    let ts = app.clock.now().timestamp().to_string();
    let sig = c.signature(&ts, "263014780", &echostr);
    let url = |sig: &str, source: &str| {
        let mut url =
            reqwest::Url::parse(&app.url(&format!("/v1/hr/sources/{source}/events"))).unwrap();
        url.query_pairs_mut()
            .append_pair("msg_signature", sig)
            .append_pair("timestamp", &ts)
            .append_pair("nonce", "263014780")
            .append_pair("echostr", &echostr);
        url
    };
    let res = app.client.get(url(&sig, "wx")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(res.text().await.unwrap(), "4385397183218374");
    // Another first digit: a signature is random (the echostr's IV), and one that already
    // began with the replacement stayed valid (1 run in 256).
    let bad = format!(
        "{}{}",
        if sig.starts_with('0') { '1' } else { '0' },
        &sig[1..]
    );
    assert_ne!(bad, sig);
    let (status, _) = problem(app.client.get(url(&bad, "wx")).send().await.unwrap()).await;
    assert_eq!(status, 401);
    let (status, _) = problem(app.client.get(url(&sig, "nobody")).send().await.unwrap()).await;
    assert_eq!(status, 404);
    let (status, _) = problem(app.client.get(url(&sig, "dd")).send().await.unwrap()).await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn wecom_create_then_delete_user_hires_and_terminates_once_each() {
    let app = spawn_sources().await;
    let create = contact(
        "create_user",
        "E7001",
        1_790_000_000,
        "<Name><![CDATA[张三]]></Name><Department><![CDATA[2]]></Department>",
    );
    let res = post_wecom(&app, &create, false).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "success");
    assert_eq!(employee_status(&app, "E7001").await, "active");

    let delete = contact("delete_user", "E7001", 1_790_000_100, "");
    for _ in 0..2 {
        assert_eq!(post_wecom(&app, &delete, false).await.status(), 200);
    }
    assert_eq!(employee_status(&app, "E7001").await, "left");
    let events = hr_events(&app).await;
    let ids: Vec<&str> = events
        .iter()
        .map(|e| e["webhook_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "wx:create_user:E7001:1790000000",
            "wx:delete_user:E7001:1790000100"
        ]
    );
    assert!(
        events.iter().all(|e| e["status"] == "applied"),
        "{events:?}"
    );
    assert_eq!(events[1]["type"], "employee.terminated");
    assert_eq!(events[1]["data"]["source"]["vendor"], "wecom");
}

#[actix_web::test]
async fn a_bad_wecom_signature_is_401_and_stores_nothing_an_unknown_source_404() {
    let app = spawn_sources().await;
    let delete = contact("delete_user", "E7001", 1_790_000_100, "");
    let (status, _) = problem(post_wecom(&app, &delete, true).await).await;
    assert_eq!(status, 401);
    let res = app
        .client
        .post(app.url("/v1/hr/sources/nobody/events"))
        .body("<xml/>")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 404);
    let res = app
        .client
        .post(app.url("/v1/hr/sources/wx/events?msg_signature=x&timestamp=1&nonce=2"))
        .body("not xml")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 400);
    assert!(hr_events(&app).await.is_empty());
}

#[actix_web::test]
async fn an_unmapped_department_is_stored_unmatched_and_stays_so_on_replay() {
    let app = spawn_sources().await;
    let update = contact(
        "update_user",
        "E7002",
        1_790_000_000,
        "<Department>9</Department>",
    );
    assert_eq!(post_wecom(&app, &update, false).await.status(), 200);
    let events = hr_events(&app).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["type"], "employee.transferred");
    assert_eq!(events[0]["status"], "unmatched");
    let why = events[0]["problem"].as_str().unwrap();
    assert!(why.contains("department `9`"), "{why}");
    let id = events[0]["id"].as_str().unwrap();
    let res = app
        .as_role(
            continuity_contract::Role::Manager,
            reqwest::Method::POST,
            &format!("/v1/hr/events/{id}/replay"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "unmatched");
}

#[actix_web::test]
async fn dingtalk_check_url_and_user_leave_org_answer_the_encrypted_success() {
    let app = spawn_sources().await;
    let c = dingtalk();
    let res = post_dingtalk(&app, &json!({"EventType": "check_url"}), false).await;
    assert_eq!(res.status(), 200);
    let reply: Value = res.json().await.unwrap();
    let field = |k: &str| reply[k].as_str().unwrap().to_owned();
    assert_eq!(
        c.verify(
            &field("msg_signature"),
            &field("timeStamp"),
            &field("nonce"),
            &field("encrypt")
        ),
        Ok(())
    );
    assert_eq!(c.decrypt(&field("encrypt")).unwrap(), b"success");

    let hire = json!({"type": "employee.hired", "data": {"employee_id": "E7003", "name": "Li Lei",
        "department_code": "sales", "hire_date": "2020-03-01"}});
    assert_eq!(
        crate::hr_webhook::send(&app, "msg_1", &hire).await.status(),
        202
    );
    let leave = json!({"EventType": "user_leave_org", "TimeStamp": "1790000000000",
        "UserId": ["E7003"], "CorpId": "dingcorp"});
    for _ in 0..2 {
        assert_eq!(post_dingtalk(&app, &leave, false).await.status(), 200);
    }
    assert_eq!(employee_status(&app, "E7003").await, "left");
    let events = hr_events(&app).await;
    assert_eq!(events.len(), 2);
    assert_eq!(
        events[1]["webhook_id"],
        "dd:user_leave_org:1790000000000:E7003"
    );

    let (status, _) = problem(post_dingtalk(&app, &leave, true).await).await;
    assert_eq!(status, 401);
    let other = CallbackCrypto::new("dingtoken", KEY, "someone-else").unwrap();
    let encrypt = other.encrypt(leave.to_string().as_bytes());
    let sig = other.signature("1", "2", &encrypt);
    let res = app
        .client
        .post(app.url(&format!(
            "/v1/hr/sources/dd/events?msg_signature={sig}&timestamp=1&nonce=2"
        )))
        .json(&json!({ "encrypt": encrypt }))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 401);
    assert_eq!(hr_events(&app).await.len(), 2);
}

#[actix_web::test]
async fn wecom_and_dingtalk_callbacks_signed_outside_the_timestamp_window_are_401_storing_nothing()
{
    let app = spawn_sources().await;
    let delete = |user: &str| contact("delete_user", user, 1_790_000_000, "");
    let leave = |user: &str| json!({"EventType": "user_leave_org", "TimeStamp": "1790000000000", "UserId": [user]});
    for skew in [-301, 301] {
        let res = post_wecom_skewed(&app, &delete("E1"), false, skew).await;
        assert_eq!(problem(res).await.0, 401, "WeCom {skew} s off");
        let res = post_dingtalk_skewed(&app, "dd", &leave("E1"), false, skew).await;
        assert_eq!(problem(res).await.0, 401, "DingTalk {skew} s off");
    }
    assert!(hr_events(&app).await.is_empty());
    // Inside the window either way, and a timestamp that is no number, refused.
    let res = post_wecom_skewed(&app, &delete("E2"), false, -299).await;
    assert_eq!(res.status(), 200);
    let res = post_dingtalk_skewed(&app, "dd", &leave("E3"), false, 299).await;
    assert_eq!(res.status(), 200);
    assert_eq!(hr_events(&app).await.len(), 2);
    let c = wecom();
    let encrypt = c.encrypt(delete("E4").as_bytes());
    let sig = c.signature("soon", "n", &encrypt);
    let res = app
        .client
        .get(app.url(&format!(
            "/v1/hr/sources/wx/events?msg_signature={sig}&timestamp=soon&nonce=n&echostr={}",
            encrypt.replace('+', "%2B")
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 401);
    assert_metrics(
        &app,
        &[
            r#"hr_source_refused_total{reason="timestamp",source="wx",service="staffing"} 3"#,
            r#"hr_source_refused_total{reason="timestamp",source="dd",service="staffing"} 2"#,
            r#"hr_source_events_total{outcome="received",source="wx",service="staffing"} 1"#,
        ],
    )
    .await;
}

#[actix_web::test]
async fn a_wecom_delete_ends_as_the_handover_a_generic_termination_opens_once() {
    let generic = spawn_sources().await;
    let p = crate::hr_feishu::team(&generic).await;
    let terminated = json!({"type": "employee.terminated", "data": {"employee_id": "A",
        "last_working_day": generic.clock.today()}});
    let sent = crate::hr_webhook::send(&generic, "hr-1", &terminated).await;
    assert_eq!(sent.status(), 202);
    let expected = crate::hr_feishu::after_resignation(&generic, &p).await;

    let app = spawn_sources().await;
    let p = crate::hr_feishu::team(&app).await;
    let created = app.clock.now().timestamp();
    let delete = contact("delete_user", "A", created, "");
    for _ in 0..2 {
        assert_eq!(post_wecom(&app, &delete, false).await.status(), 200);
    }
    assert_eq!(
        crate::hr_feishu::after_resignation(&app, &p).await,
        expected
    );
    assert_eq!(
        hr_events(&app).await.len(),
        1,
        "the redelivery changes nothing"
    );
}
