//! Feishu / Lark callbacks at the door: signed over the raw body, encrypted with the
//! Encrypt Key or carrying the Verification Token, stored and applied through the HR
//! event path as the generic webhook's events are.

use continuity_shared::testing::TestApp;
use reqwest::Response;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use staffing::hr_sources::feishu;

use crate::helpers::*;
use crate::hr_sources::{FS_KEY, FS_TOKEN, employee_status, hr_events, spawn_sources};
use crate::hr_webhook::send;
use crate::projects::{hire, project, put_member};

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
    send_lark_to(app, "fs", message).await
}

/// Sends `message` to `source` (keyed like `fs`) encrypted and signed at the app's time.
pub async fn send_lark_to(app: &TestApp, source: &str, message: &Value) -> Response {
    let body = sealed(message);
    let ts = app.clock.now().timestamp().to_string();
    let sig = lark_signature(&ts, "n0nce", FS_KEY, &body);
    post_lark(app, source, &body, Some((&ts, &sig))).await
}

pub fn lark_event(event_id: &str, event_type: &str, event: Value) -> Value {
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
pub async fn team(app: &TestApp) -> String {
    hire(app, "A", "sales", "2020-01-01").await;
    hire(app, "B", "sales", "2020-01-01").await;
    let p = project(app).await;
    put_member(app, &p, "A", json!({"role": "key_user"})).await;
    put_member(app, &p, "B", json!({"role": "member", "backup_for": "A"})).await;
    p
}

/// What a resignation of A leaves: A's status and day, and the handover of the project.
pub async fn after_resignation(app: &TestApp, p: &str) -> Value {
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
async fn feishu_corehr_offboarding_without_api_credentials_is_listed_unmatched_saying_so() {
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
    assert!(
        why.contains("no credentials") && why.contains("app_secret"),
        "{why}"
    );
    assert_eq!(
        events[0]["data"]["source"]["fields"]["offboarding_id"],
        "7001"
    );
    assert_eq!(employee_status(&app, "A").await, "active");
}
