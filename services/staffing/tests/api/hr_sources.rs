//! HR sources at the door: WeCom's and DingTalk's callbacks, signed and encrypted as the
//! vendors do (the crypto itself is checked against published and independent vectors
//! in its unit tests), stored and applied through the HR event path.

use continuity_shared::testing::TestApp;
use reqwest::Response;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use staffing::hr_sources::callback_crypto::CallbackCrypto;
use staffing::hr_sources::feishu;

use crate::helpers::*;
use crate::hr_webhook::{send, spawn_hr};
use crate::projects::{hire, project, put_member};

const KEY: &str = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt";
const CORP: &str = "ww1436e0e65a779aee";
const DING: &str = "dingappkey";
/// Feishu source `fs` encrypts (and signs); `fp` only has the Verification Token.
const FS_KEY: &str = "fs-encrypt-key";
const FS_TOKEN: &str = "fs-verification-token";

async fn spawn_sources() -> TestApp {
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
    let c = wecom();
    let encrypt = c.encrypt(message.as_bytes());
    let (ts, nonce) = ("1790000000", "1372623149");
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
    let c = dingtalk();
    let encrypt = c.encrypt(message.to_string().as_bytes());
    let (ts, nonce) = ("1790000000000", "abc123");
    let sig = if tamper {
        c.signature(ts, "other", &encrypt)
    } else {
        c.signature(ts, nonce, &encrypt)
    };
    app.client
        .post(app.url(&format!(
            "/v1/hr/sources/dd/events?signature={sig}&timestamp={ts}&nonce={nonce}"
        )))
        .json(&json!({ "encrypt": encrypt }))
        .send()
        .await
        .unwrap()
}

async fn hr_events(app: &TestApp) -> Vec<Value> {
    let (status, page) = get_json(app, "/v1/hr/events?limit=500").await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().unwrap().clone()
}

async fn employee_status(app: &TestApp, id: &str) -> Value {
    let (status, body) = get_json(app, &format!("/v1/employees/{id}")).await;
    assert_eq!(status, 200, "{body}");
    body["status"].clone()
}

#[actix_web::test]
async fn wecom_url_check_answers_the_bare_echostr_and_refuses_a_bad_signature() {
    let app = spawn_sources().await;
    let c = wecom();
    let echostr = c.encrypt(b"4385397183218374");
    let sig = c.signature("1409659589", "263014780", &echostr);
    let url = |sig: &str, source: &str| {
        let mut url =
            reqwest::Url::parse(&app.url(&format!("/v1/hr/sources/{source}/events"))).unwrap();
        url.query_pairs_mut()
            .append_pair("msg_signature", sig)
            .append_pair("timestamp", "1409659589")
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
    let bad = sig.replace(&sig[..2], "00");
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

// ---- Feishu ----

/// `{"encrypt": …}` holding `message`, as Feishu sends it with an Encrypt Key.
fn sealed(message: &Value) -> String {
    let encrypt = feishu::encrypt_with(FS_KEY, [9; 16], message.to_string().as_bytes());
    json!({ "encrypt": encrypt }).to_string()
}

/// The signature computed here, not by the code under test.
fn lark_signature(ts: &str, nonce: &str, key: &str, body: &str) -> String {
    let mut sha = Sha256::new();
    sha.update(format!("{ts}{nonce}{key}{body}").as_bytes());
    hex::encode(sha.finalize())
}

/// Posts `body` to Feishu source `source`, with the signature headers when given.
async fn post_lark(
    app: &TestApp,
    source: &str,
    body: &str,
    signed: Option<(&str, &str)>,
) -> Response {
    let mut req = app
        .client
        .post(app.url(&format!("/v1/hr/sources/{source}/events")))
        .header("content-type", "application/json");
    if let Some((ts, sig)) = signed {
        req = req
            .header("x-lark-request-timestamp", ts)
            .header("x-lark-request-nonce", "n0nce")
            .header("x-lark-signature", sig);
    }
    req.body(body.to_owned()).send().await.unwrap()
}

/// The timestamp and signature headers of a delivery.
type Signed = (String, String);

/// Sends `message` to `fs` encrypted and signed at the app's time.
async fn send_lark(app: &TestApp, message: &Value) -> Response {
    let body = sealed(message);
    let ts = app.clock.now().timestamp().to_string();
    let sig = lark_signature(&ts, "n0nce", FS_KEY, &body);
    post_lark(app, "fs", &body, Some((&ts, &sig))).await
}

fn lark_event(event_id: &str, event_type: &str, event: Value) -> Value {
    json!({"schema": "2.0", "header": {"event_id": event_id, "event_type": event_type,
        "token": FS_TOKEN, "app_id": "cli_ours", "tenant_key": "t1",
        "create_time": "1790000000000"}, "event": event})
}

async fn ok_json(res: Response) -> String {
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

#[test]
fn feishu_published_example_is_what_encrypting_hello_world_with_its_iv_gives() {
    // The Encrypt Key `test key` of Feishu's documentation: encrypting `hello world`
    // with the IV at the head of its ciphertext gives that ciphertext back.
    let raw = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=",
    )
    .unwrap();
    let iv: [u8; 16] = raw[..16].try_into().unwrap();
    assert_eq!(
        feishu::encrypt_with("test key", iv, b"hello world"),
        "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="
    );
}

#[actix_web::test]
async fn feishu_url_verification_is_answered_encrypted_and_plain_and_a_wrong_token_refused() {
    let app = spawn_sources().await;
    let challenge = |token: &str| json!({"challenge": "ajls384kdjx98XX", "token": token, "type": "url_verification"});
    let res = post_lark(&app, "fs", &sealed(&challenge(FS_TOKEN)), None).await;
    assert_eq!(ok_json(res).await, r#"{"challenge":"ajls384kdjx98XX"}"#);
    let res = post_lark(&app, "fp", &challenge(FS_TOKEN).to_string(), None).await;
    assert_eq!(ok_json(res).await, r#"{"challenge":"ajls384kdjx98XX"}"#);
    for (source, body) in [
        ("fp", challenge("wrong").to_string()),
        ("fs", sealed(&challenge("wrong"))),
        // An Encrypt Key is set: a plain handshake is not ours.
        ("fs", challenge(FS_TOKEN).to_string()),
    ] {
        let (status, _) = problem(post_lark(&app, source, &body, None).await).await;
        assert_eq!(status, 401, "{source} {body}");
    }
}

#[actix_web::test]
async fn feishu_refuses_tampered_wrongly_keyed_truncated_stale_and_unsigned_callbacks_storing_nothing()
 {
    let app = spawn_sources().await;
    let gone = lark_event(
        "ev-bad",
        "contact.user.deleted_v3",
        json!({"object": {"user_id": "E1"}}),
    );
    let body = sealed(&gone);
    let now = app.clock.now().timestamp();
    let ts = now.to_string();
    let sig = |body: &str| lark_signature(&ts, "n0nce", FS_KEY, body);
    let tampered = body.replace("\"}", " \"}");
    assert_ne!(tampered, body);
    let raw = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        feishu::encrypt_with(FS_KEY, [9; 16], gone.to_string().as_bytes()),
    )
    .unwrap();
    let truncated = json!({"encrypt": base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD, &raw[..raw.len() - 5])})
    .to_string();
    let bad_base64 = json!({"encrypt": "%%%not base64%%%"}).to_string();
    let other_key = json!({"encrypt": feishu::encrypt_with("another key", [9; 16],
        gone.to_string().as_bytes())})
    .to_string();
    let stale = (now - 301).to_string();
    let stale_sig = lark_signature(&stale, "n0nce", FS_KEY, &body);
    let cases: Vec<(&str, String, Option<Signed>)> = vec![
        ("tampered body", tampered, Some((ts.clone(), sig(&body)))),
        (
            "signed with another key",
            body.clone(),
            Some((
                ts.clone(),
                lark_signature(&ts, "n0nce", "another key", &body),
            )),
        ),
        (
            "encrypted with another key",
            other_key.clone(),
            Some((ts.clone(), sig(&other_key))),
        ),
        (
            "truncated ciphertext",
            truncated.clone(),
            Some((ts.clone(), sig(&truncated))),
        ),
        (
            "bad base64",
            bad_base64.clone(),
            Some((ts.clone(), sig(&bad_base64))),
        ),
        ("stale timestamp", body.clone(), Some((stale, stale_sig))),
        ("unsigned", body.clone(), None),
    ];
    for (why, body, signed) in cases {
        let signed = signed.as_ref().map(|(t, s)| (t.as_str(), s.as_str()));
        let res = post_lark(&app, "fs", &body, signed).await;
        let status = res.status().as_u16();
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/problem+json"),
            "{why}"
        );
        assert!((400..500).contains(&status), "{why}: {status}");
    }
    // Without an Encrypt Key the token authenticates: a wrong one is refused.
    let mut wrong = gone.clone();
    wrong["header"]["token"] = json!("wrong");
    assert_eq!(
        problem(post_lark(&app, "fp", &wrong.to_string(), None).await)
            .await
            .0,
        401
    );
    let mut other_app = gone.clone();
    other_app["header"]["app_id"] = json!("cli_theirs");
    assert_eq!(problem(send_lark(&app, &other_app).await).await.0, 401);
    assert!(hr_events(&app).await.is_empty());
}

/// Sales: A (key user) with B as backup on a project; both long settled.
async fn team(app: &TestApp) -> String {
    hire(app, "A", "sales", "2020-01-01").await;
    hire(app, "B", "sales", "2020-01-01").await;
    let p = project(app).await;
    put_member(app, &p, "A", json!({"role": "key_user"})).await;
    put_member(app, &p, "B", json!({"role": "member", "backup_for": "A"})).await;
    p
}

/// What a resignation of A leaves: A's status and day, and the handover of the project.
async fn after_resignation(app: &TestApp, p: &str) -> Value {
    let (_, a) = get_json(app, "/v1/employees/A").await;
    let (_, page) = get_json(app, &format!("/v1/handovers?project={p}")).await;
    let h = &page["items"];
    assert_eq!(h.as_array().unwrap().len(), 1, "{page}");
    json!({"status": a["status"], "last_working_day": a["last_working_day"],
        "handover": [h[0]["status"], h[0]["leaver_employee_id"], h[0]["successor"]]})
}

#[actix_web::test]
async fn feishu_to_be_resigned_opens_the_handover_the_generic_webhook_opens_once() {
    let generic = spawn_sources().await;
    let p = team(&generic).await;
    let today = generic.clock.today();
    let last_day = (today + chrono::Duration::days(60)).to_string();
    let resigned = json!({"type": "employee.resigned", "data": {"employee_id": "A",
        "notice_date": today, "last_working_day": last_day}});
    assert_eq!(send(&generic, "hr-1", &resigned).await.status(), 202);
    let expected = after_resignation(&generic, &p).await;
    assert_eq!(
        (&expected["status"], &expected["handover"][1]),
        (&json!("leaving"), &json!("A"))
    );

    let app = spawn_sources().await;
    let p = team(&app).await;
    let event = lark_event(
        "ev-resign-1",
        "directory.employee.to_be_resigned_v1",
        json!({"employee": {"employee_id": "A", "resign_date": last_day}}),
    );
    for _ in 0..2 {
        assert_eq!(ok_json(send_lark(&app, &event).await).await, "{}");
    }
    assert_eq!(after_resignation(&app, &p).await, expected);
    let events = hr_events(&app).await;
    assert_eq!(events.len(), 1, "a redelivery changes nothing");
    assert_eq!(events[0]["webhook_id"], "fs:ev-resign-1");
    assert_eq!(events[0]["status"], "applied");
}

#[actix_web::test]
async fn feishu_contact_events_hire_transfer_and_terminate_like_the_generic_webhook() {
    let app = spawn_sources().await;
    let created = lark_event(
        "ev-c1",
        "contact.user.created_v3",
        json!({"object": {"user_id": "E8001", "open_id": "ou_1", "name": "王五",
            "department_ids": ["od123"]}}),
    );
    assert_eq!(ok_json(send_lark(&app, &created).await).await, "{}");
    let (_, e) = get_json(&app, "/v1/employees/E8001").await;
    assert_eq!(
        (&e["status"], &e["department_code"]),
        (&json!("active"), &json!("sales"))
    );
    assert_eq!(e["hire_date"], json!(app.clock.today()));

    let renamed = lark_event(
        "ev-c2",
        "contact.user.updated_v3",
        json!({"object": {"user_id": "E8001", "name": "王小五", "department_ids": ["od123"]},
            "old_object": {"name": "王五"}}),
    );
    assert_eq!(send_lark(&app, &renamed).await.status(), 200);
    let moved = lark_event(
        "ev-c3",
        "contact.user.updated_v3",
        json!({"object": {"user_id": "E8001", "department_ids": ["od456"]},
            "old_object": {"department_ids": ["od123"]}}),
    );
    assert_eq!(send_lark(&app, &moved).await.status(), 200);
    let (_, e) = get_json(&app, "/v1/employees/E8001").await;
    assert_eq!(e["department_code"], "it");

    let deleted = lark_event(
        "ev-c4",
        "contact.user.deleted_v3",
        json!({"object": {"user_id": "E8001", "open_id": "ou_1"}}),
    );
    for _ in 0..2 {
        assert_eq!(send_lark(&app, &deleted).await.status(), 200);
    }
    assert_eq!(employee_status(&app, "E8001").await, "left");
    let events = hr_events(&app).await;
    let seen: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e["type"].as_str().unwrap(), e["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        seen,
        [
            ("employee.hired", "applied"),
            ("employee.transferred", "applied"),
            ("employee.terminated", "applied")
        ],
        "the rename is ignored, the redelivery changes nothing"
    );
    assert_eq!(
        events[2]["data"]["last_working_day"],
        json!(app.clock.today())
    );
    assert_eq!(events[2]["data"]["source"]["vendor"], "feishu");
}

#[actix_web::test]
async fn feishu_corehr_offboarding_is_listed_unmatched_awaiting_the_offboarding_api() {
    let app = spawn_sources().await;
    hire(&app, "A", "sales", "2020-01-01").await;
    let event = lark_event(
        "ev-off-1",
        "corehr.offboarding.status_updated_v2",
        json!({"offboarding_id": "7001", "employment_id": "6900", "status": 2}),
    );
    assert_eq!(send_lark(&app, &event).await.status(), 200);
    let events = hr_events(&app).await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        (&events[0]["type"], &events[0]["status"]),
        (&json!("employee.resigned"), &json!("unmatched"))
    );
    let why = events[0]["problem"].as_str().unwrap();
    assert!(why.contains("offboarding search API"), "{why}");
    assert_eq!(
        events[0]["data"]["source"]["fields"]["offboarding_id"],
        "7001"
    );
    assert_eq!(employee_status(&app, "A").await, "active");
}
