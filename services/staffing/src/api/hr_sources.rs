//! `/v1/hr/sources/{source}/events`: the callbacks of configured HR systems (WeCom,
//! DingTalk, Feishu). Each is verified over the raw bytes and decrypted before anything is read;
//! its person events are mapped to HR events and stored and applied through the HR event
//! path, `"{source}:{dedupe_key}"` as their `webhook_id` (a redelivery is a no-op).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use continuity_shared::clock::Clock;
use continuity_shared::db::Db;
use continuity_shared::http::body::{check_declared_length, parse_json, read_body};
use continuity_shared::http::docs::Problem;
use continuity_shared::{ApiError, ApiResult, text};
use serde::Deserialize;
use utoipa::IntoParams;

use super::hr_events::MAX_BODY_BYTES;
use crate::hr_sources::callback_crypto::{CallbackCrypto, CryptoError};
use crate::hr_sources::dingtalk::{self, DingTalkReply, Message};
use crate::hr_sources::feishu::{self, FeishuKeys, SignatureHeaders};
use crate::hr_sources::mapping::to_hr_event;
use crate::hr_sources::{HrSource, HrSources, SourceKeys, Vendor, VendorEvent, wecom};
use crate::service::hr_events;
use crate::settings::Rules;

/// The query of a callback: WeCom sends `msg_signature`, DingTalk `signature` (or
/// `msg_signature`); both `timestamp` and `nonce`; WeCom's URL check adds `echostr`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    /// SHA-1 hex of the sorted token, timestamp, nonce and ciphertext (WeCom, DingTalk).
    pub msg_signature: Option<String>,
    /// DingTalk's name for the same.
    pub signature: Option<String>,
    pub timestamp: Option<String>,
    pub nonce: Option<String>,
    /// WeCom's URL check only: the encrypted string to answer in plain.
    pub echostr: Option<String>,
}

impl CallbackQuery {
    /// Verifies `encrypted` against the query's signature, then decrypts it.
    fn open(
        &self,
        source: &HrSource,
        crypto: &CallbackCrypto,
        encrypted: &str,
    ) -> ApiResult<Vec<u8>> {
        let signature = self.msg_signature.as_ref().or(self.signature.as_ref());
        let (Some(signature), Some(timestamp), Some(nonce)) =
            (signature, self.timestamp.as_ref(), self.nonce.as_ref())
        else {
            return Err(refused(source, "signature, timestamp or nonce missing"));
        };
        crypto
            .verify(signature, timestamp, nonce, encrypted)
            .and_then(|()| crypto.decrypt(encrypted))
            .map_err(|e: CryptoError| refused(source, &e.to_string()))
    }
}

/// A 401 that tells nothing; the reason is logged.
fn refused(source: &HrSource, why: &str) -> ApiError {
    tracing::info!(hr_source = %source.name, hr_source.refused = why, "HR source callback refused");
    ApiError::unauthorized(text!(
        "The callback signature is missing or invalid.",
        "回调签名缺失或无效。"
    ))
}

fn source<'a>(sources: &'a HrSources, name: &str) -> ApiResult<&'a HrSource> {
    sources.get(name).ok_or_else(|| {
        ApiError::not_found(text!(
            "No HR source `{name}` is configured.",
            "未配置 HR 来源 `{name}`。"
        ))
    })
}

fn malformed(what: &str) -> ApiError {
    ApiError::malformed(text!(
        "The callback body is not {what}.",
        "回调正文不是{what}。"
    ))
}

/// Maps one vendor event and stores (and applies) it once per source and dedupe key.
async fn store(
    db: &Db,
    now: chrono::DateTime<chrono::Utc>,
    rules: Rules,
    source: &HrSource,
    event: &VendorEvent,
) -> ApiResult<()> {
    let mapped = to_hr_event(source, event, rules.today(now));
    let webhook_id = format!("{}:{}", source.name, event.dedupe_key);
    let received = match mapped.event {
        Ok(hr) => hr_events::receive(db, webhook_id, hr, mapped.data, now, rules).await?,
        Err(problem) => {
            hr_events::receive_unmapped(
                db,
                webhook_id,
                mapped.event_type,
                mapped.data,
                problem,
                now,
            )
            .await?
        }
    };
    tracing::info!(
        hr_source = %source.name,
        hr_event.id = %received.event.id,
        hr_event.fresh = received.fresh,
        "HR source event received"
    );
    Ok(())
}

/// Receive a callback of the configured HR source `{source}` (no bearer token: the
/// signature authenticates it).
///
/// - **WeCom** (`vendor = "wecom"`): the XML envelope `<xml><ToUserName/><Encrypt/>…</xml>`,
///   `msg_signature`, `timestamp`, `nonce` in the query; answered 200 `success`
///   (`text/plain`). `change_contact` `delete_user` → `employee.terminated` (today),
///   `create_user` → `employee.hired`, `update_user` with a department →
///   `employee.transferred`; dedupe on change type, user id and creation time.
/// - **DingTalk** (`vendor = "dingtalk"`): `{"encrypt": "…"}` with `signature` (or
///   `msg_signature`), `timestamp`, `nonce`; every answer (the `check_url` handshake
///   too) is the encrypted `success` JSON. `user_leave_org` → `employee.terminated`,
///   `hrm_mdm_user_change` 1/3/4 → hired/transferred/terminated.
/// - **Feishu / Lark** (`vendor = "feishu"`): schema 2.0 JSON, or `{"encrypt": "…"}`
///   with an Encrypt Key, then signed: `X-Lark-Request-Timestamp`, `X-Lark-Request-Nonce`,
///   `X-Lark-Signature` (hex SHA-256 of timestamp, nonce, Encrypt Key and body; the
///   timestamp within the source's tolerance). Without a key, the Verification Token in
///   `header.token`. `url_verification` is answered `{"challenge": …}`, other messages
///   `{}`. `contact.user.created_v3` / `updated_v3` (another department) / `deleted_v3` →
///   hired / transferred / terminated (today), `directory.employee.to_be_resigned_v1` →
///   `employee.resigned` on its `resign_date`; `corehr.offboarding.status_updated_v2` is
///   stored unmatched (its date is only in Feishu's API); dedupe on `header.event_id`.
///
/// Events are stored and applied before the answer; one lacking the employee id field,
/// a name or a mapped department is stored as `unmatched` (listed at
/// `GET /v1/hr/events?status=unmatched`). A redelivery changes nothing. Other messages
/// are acknowledged and ignored.
#[utoipa::path(
    tag = "hr",
    security(()),
    params(("source" = String, Path, description = "A source of `[staffing.hr_sources]`"), CallbackQuery),
    request_body(content(
        (String = "application/xml"),
        (String = "text/xml"),
        (serde_json::Value = "application/json"),
    ), description = "WeCom's XML envelope, DingTalk's `{\"encrypt\": …}`, or Feishu's schema 2.0 event (or `{\"encrypt\": …}`)"),
    responses(
        (status = 200, description = "Received (WeCom: `success`; DingTalk: the encrypted `success`; Feishu: `{\"challenge\": …}` to its handshake, else `{}`)", content(
            (String = "text/plain"),
            (DingTalkReply = "application/json"),
        )),
        (status = 400, description = "Not the source's envelope, or a decrypted message it cannot read; nothing stored", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Signature missing or invalid, timestamp outside the tolerance (Feishu), wrong verification token, or not decryptable for this source; nothing stored", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such source", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 64 KiB", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/hr/sources/{source}/events")]
#[allow(clippy::too_many_arguments)] // one extractor per thing the handler needs
pub async fn receive_source_event(
    req: HttpRequest,
    db: web::Data<Db>,
    clock: web::Data<Clock>,
    rules: web::Data<Rules>,
    sources: web::Data<HrSources>,
    name: web::Path<String>,
    query: web::Query<CallbackQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let source = source(&sources, &name)?;
    check_declared_length(&req, MAX_BODY_BYTES)?;
    let body = read_body(payload.into_inner(), MAX_BODY_BYTES).await?;
    let at = Arrival {
        now: clock.now(),
        rules: **rules,
    };
    match (&source.keys, source.vendor) {
        (SourceKeys::Callback(crypto), Vendor::Wecom) => {
            receive_wecom(&db, at, source, crypto, &query, &body).await
        }
        (SourceKeys::Callback(crypto), _) => {
            receive_dingtalk(&db, at, source, crypto, &query, &body).await
        }
        (SourceKeys::Feishu(keys), _) => receive_feishu(&db, at, source, keys, &req, &body).await,
    }
}

/// When a callback arrived and the rules it is mapped under.
#[derive(Clone, Copy)]
struct Arrival {
    now: chrono::DateTime<chrono::Utc>,
    rules: Rules,
}

async fn receive_wecom(
    db: &Db,
    at: Arrival,
    source: &HrSource,
    crypto: &CallbackCrypto,
    query: &CallbackQuery,
    body: &[u8],
) -> ApiResult<HttpResponse> {
    let encrypted = wecom::encrypted(body).ok_or_else(|| malformed("WeCom XML"))?;
    let plain = query.open(source, crypto, &encrypted)?;
    let xml = String::from_utf8(plain).map_err(|_| malformed("UTF-8"))?;
    let fields = wecom::flat_fields(&xml).ok_or_else(|| malformed("WeCom XML"))?;
    if let Some(event) = wecom::parse_event(&fields) {
        store(db, at.now, at.rules, source, &event).await?;
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("success"))
}

async fn receive_dingtalk(
    db: &Db,
    at: Arrival,
    source: &HrSource,
    crypto: &CallbackCrypto,
    query: &CallbackQuery,
    body: &[u8],
) -> ApiResult<HttpResponse> {
    #[derive(Deserialize)]
    struct Envelope {
        encrypt: String,
    }
    let Envelope { encrypt } = parse_json(body)?;
    let plain = query.open(source, crypto, &encrypt)?;
    let message = dingtalk::parse(&plain).map_err(|e| {
        ApiError::malformed(text!(
            "The decrypted DingTalk message is unreadable: {e}",
            "解密后的钉钉消息无法读取：{e}"
        ))
    })?;
    if let Message::Events(events) = message {
        for event in &events {
            store(db, at.now, at.rules, source, event).await?;
        }
    }
    Ok(HttpResponse::Ok().json(DingTalkReply::success(crypto, at.now)))
}

/// A Feishu header, when it is there and text.
fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

fn feishu_unreadable(e: &str) -> ApiError {
    ApiError::malformed(text!(
        "The Feishu message is unreadable: {e}",
        "飞书消息无法读取：{e}"
    ))
}

/// Feishu: the signature (with an Encrypt Key) is checked over the raw bytes before the
/// body is decrypted; the handshake alone comes unsigned, so it is answered only once it
/// decrypts with our key and carries our token.
async fn receive_feishu(
    db: &Db,
    at: Arrival,
    source: &HrSource,
    keys: &FeishuKeys,
    req: &HttpRequest,
    body: &[u8],
) -> ApiResult<HttpResponse> {
    let headers = SignatureHeaders {
        timestamp: header(req, "x-lark-request-timestamp"),
        nonce: header(req, "x-lark-request-nonce"),
        signature: header(req, "x-lark-signature"),
    };
    let signed = headers.signature.is_some();
    if signed {
        keys.verify(headers, body, at.now)
            .map_err(|e| refused(source, &e.to_string()))?;
    }
    let envelope: serde_json::Value = parse_json(body)?;
    let plain = keys.open(&envelope).map_err(|e| match e {
        feishu::OpenError::Refused(e) => refused(source, &e.to_string()),
        feishu::OpenError::Unreadable(e) => feishu_unreadable(&e),
    })?;
    match feishu::parse(&plain, at.now).map_err(|e| feishu_unreadable(&e))? {
        feishu::Message::Challenge { challenge, token } => {
            keys.check(token.as_deref(), None)
                .map_err(|e| refused(source, &e.to_string()))?;
            Ok(HttpResponse::Ok().json(serde_json::json!({ "challenge": challenge })))
        }
        feishu::Message::Event {
            token,
            app_id,
            event,
        } => {
            if keys.encrypts() && !signed {
                return Err(refused(source, "an event without X-Lark-Signature"));
            }
            keys.check(token.as_deref(), app_id.as_deref())
                .map_err(|e| refused(source, &e.to_string()))?;
            if let Some(event) = event {
                store(db, at.now, at.rules, source, &event).await?;
            }
            Ok(HttpResponse::Ok().json(serde_json::json!({})))
        }
    }
}

fn source_not_built(source: &HrSource) -> ApiError {
    let name = &source.name;
    ApiError::not_found(text!(
        "HR source `{name}` does not take this request.",
        "HR 来源 `{name}` 不接受此请求。"
    ))
}

/// WeCom's URL check: `msg_signature`, `timestamp`, `nonce` and `echostr` in the query;
/// the decrypted `echostr` is the answer, bare (`text/plain`). No bearer token.
#[utoipa::path(
    tag = "hr",
    security(()),
    params(("source" = String, Path, description = "A WeCom source of `[staffing.hr_sources]`"), CallbackQuery),
    responses(
        (status = 200, description = "The decrypted echostr", body = String, content_type = "text/plain"),
        (status = 401, description = "Signature missing or invalid, or echostr not decryptable for this source", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such source, or not a WeCom source", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/hr/sources/{source}/events")]
pub async fn check_source_url(
    sources: web::Data<HrSources>,
    name: web::Path<String>,
    query: web::Query<CallbackQuery>,
) -> ApiResult<HttpResponse> {
    let source = source(&sources, &name)?;
    if source.vendor != Vendor::Wecom {
        return Err(source_not_built(source));
    }
    // Base64 never holds a space: a `+` left unescaped in the query reads as one.
    let echostr = query
        .echostr
        .as_deref()
        .unwrap_or_default()
        .replace(' ', "+");
    if echostr.is_empty() {
        return Err(refused(source, "echostr missing"));
    }
    let SourceKeys::Callback(crypto) = &source.keys else {
        return Err(source_not_built(source));
    };
    let plain = query.open(source, crypto, &echostr)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(plain))
}
