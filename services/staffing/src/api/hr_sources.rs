//! `/v1/hr/sources/{source}/events`: the callbacks of configured HR systems (WeCom,
//! DingTalk, Feishu). Each is verified over the raw bytes and decrypted before anything is read;
//! its person events are mapped to HR events and stored and applied through the HR event
//! path, `"{source}:{dedupe_key}"` as their `webhook_id` (a redelivery is a no-op); those
//! that carry only ids are stored to be enriched outside the request.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use continuity_shared::clock::Clock;
use continuity_shared::db::Db;
use continuity_shared::http::body::{check_declared_length, parse_json, read_body};
use continuity_shared::http::docs::Problem;
use continuity_shared::{ApiError, ApiResult, text};
use serde::Deserialize;
use utoipa::IntoParams;

use super::hr_events::MAX_BODY_BYTES;
use crate::hr_sources::callback_crypto::{CallbackCrypto, CryptoError, check_timestamp};
use crate::hr_sources::dingtalk::{self, DingTalkReply, Message};
use crate::hr_sources::feishu::{self, FeishuKeys, SignatureHeaders};
use crate::hr_sources::mapping::{to_enrich, to_hr_event};
use crate::hr_sources::metrics::Outcome;
use crate::hr_sources::{Callbacks, HrSource, SourceKeys, Vendor, VendorEvent, wecom};
use crate::service::hr_events::{self, Held};
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
    /// Verifies `encrypted` against the query's signature and its timestamp against our
    /// clock (WeCom's in seconds, DingTalk's in milliseconds), then decrypts it.
    fn open(&self, door: &Door, crypto: &CallbackCrypto, encrypted: &str) -> ApiResult<Vec<u8>> {
        let signature = self.msg_signature.as_ref().or(self.signature.as_ref());
        let (Some(signature), Some(timestamp), Some(nonce)) =
            (signature, self.timestamp.as_ref(), self.nonce.as_ref())
        else {
            return Err(door.refused("signature", "signature, timestamp or nonce missing"));
        };
        let source = door.source;
        crypto
            .verify(signature, timestamp, nonce, encrypted)
            .and_then(|()| {
                let in_millis = source.vendor == Vendor::Dingtalk;
                check_timestamp(
                    timestamp,
                    in_millis,
                    door.now,
                    source.timestamp_tolerance_secs,
                )
            })
            .and_then(|()| crypto.decrypt(encrypted))
            .map_err(|e: CryptoError| door.refused(e.reason(), &e.to_string()))
    }
}

/// One callback at the door: its source, when it came, and where its outcome is counted.
struct Door<'a> {
    source: &'a HrSource,
    callbacks: &'a Callbacks,
    now: chrono::DateTime<chrono::Utc>,
}

impl Door<'_> {
    /// A 401 that tells nothing; the reason is logged and counted.
    fn refused(&self, reason: &'static str, why: &str) -> ApiError {
        tracing::info!(hr_source = %self.source.name, hr_source.refused = why, "HR source callback refused");
        self.callbacks.metrics.refuse(&self.source.name, reason);
        ApiError::unauthorized(text!(
            "The callback signature is missing or invalid.",
            "回调签名缺失或无效。"
        ))
    }

    /// A 400 for a body that is not the source's format, counted.
    fn malformed(&self, error: ApiError) -> ApiError {
        self.callbacks
            .metrics
            .refuse(&self.source.name, "malformed");
        error
    }
}

fn source<'a>(callbacks: &'a Callbacks, name: &str) -> ApiResult<&'a HrSource> {
    callbacks.sources.get(name).ok_or_else(|| {
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

/// Stores one vendor event once per source and dedupe key: applied at once when it
/// carries what its HR event needs, else kept to be enriched through the vendor's API (the
/// enricher is woken) or as unmatched.
async fn store(db: &Db, door: &Door<'_>, rules: Rules, event: &VendorEvent) -> ApiResult<()> {
    let (source, now) = (door.source, door.now);
    let webhook_id = format!("{}:{}", source.name, event.dedupe_key);
    let received = if let Some(event_type) = source.enriches(event) {
        let data = to_enrich(source, event);
        let received =
            hr_events::receive_held(db, webhook_id, event_type, data, Held::Enriching, now).await?;
        if received.fresh {
            door.callbacks.wake.wake();
        }
        received
    } else {
        let mapped = to_hr_event(source, event, rules.today(now));
        match mapped.event {
            Ok(hr) => hr_events::receive(db, webhook_id, hr, mapped.data, now, rules).await?,
            Err(problem) => {
                let held = Held::Unmatched(problem);
                hr_events::receive_held(db, webhook_id, mapped.event_type, mapped.data, held, now)
                    .await?
            }
        }
    };
    let outcome = match received.fresh {
        true => Outcome::Received,
        false => Outcome::Duplicate,
    };
    door.callbacks.metrics.count(&source.name, outcome);
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
///   `employee.resigned` on its `resign_date`; `corehr.offboarding.status_updated_v2`
///   4/5 → `employee.resignation_rescinded`, 1/2/6 and 3 are enriched through Feishu's
///   offboarding search into `employee.resigned` / `employee.terminated` on its date;
///   dedupe on `header.event_id`.
///
/// WeCom's and DingTalk's `timestamp` must be within the source's tolerance of our clock
/// (default 300 s), like Feishu's. Events are stored before the answer and applied at
/// once when they carry what they need; one lacking the employee id field, a name or a
/// mapped department is stored as `unmatched` (listed at `GET /v1/hr/events?status=unmatched`).
/// One that carries only ids (Feishu's CoreHR offboarding; DingTalk's departures when
/// the source has API credentials) is stored as `enriching` and acknowledged at once; the
/// vendor's API is asked outside the request, with retries. A redelivery changes nothing.
/// Other messages are acknowledged and ignored.
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
        (status = 401, description = "Signature missing or invalid, timestamp outside the tolerance, wrong verification token, or not decryptable for this source; nothing stored", body = Problem, content_type = "application/problem+json"),
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
    callbacks: web::Data<Callbacks>,
    name: web::Path<String>,
    query: web::Query<CallbackQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let source = source(&callbacks, &name)?;
    check_declared_length(&req, MAX_BODY_BYTES)?;
    let body = read_body(payload.into_inner(), MAX_BODY_BYTES).await?;
    let door = Door {
        source,
        callbacks: &callbacks,
        now: clock.now(),
    };
    let rules = **rules;
    match &source.keys {
        SourceKeys::Callback(crypto) if source.vendor == Vendor::Wecom => {
            receive_wecom(&db, &door, rules, crypto, &query, &body).await
        }
        SourceKeys::Callback(crypto) => {
            receive_dingtalk(&db, &door, rules, crypto, &query, &body).await
        }
        SourceKeys::Feishu(keys) => receive_feishu(&db, &door, rules, keys, &req, &body).await,
    }
}

async fn receive_wecom(
    db: &Db,
    door: &Door<'_>,
    rules: Rules,
    crypto: &CallbackCrypto,
    query: &CallbackQuery,
    body: &[u8],
) -> ApiResult<HttpResponse> {
    let unreadable = |what| door.malformed(malformed(what));
    let encrypted = wecom::encrypted(body).ok_or_else(|| unreadable("WeCom XML"))?;
    let plain = query.open(door, crypto, &encrypted)?;
    let xml = String::from_utf8(plain).map_err(|_| unreadable("UTF-8"))?;
    let fields = wecom::flat_fields(&xml).ok_or_else(|| unreadable("WeCom XML"))?;
    if let Some(event) = wecom::parse_event(&fields) {
        store(db, door, rules, &event).await?;
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("success"))
}

async fn receive_dingtalk(
    db: &Db,
    door: &Door<'_>,
    rules: Rules,
    crypto: &CallbackCrypto,
    query: &CallbackQuery,
    body: &[u8],
) -> ApiResult<HttpResponse> {
    #[derive(Deserialize)]
    struct Envelope {
        encrypt: String,
    }
    let Envelope { encrypt } = parse_json(body).map_err(|e| door.malformed(e))?;
    let plain = query.open(door, crypto, &encrypt)?;
    let message = dingtalk::parse(&plain).map_err(|e| {
        door.malformed(ApiError::malformed(text!(
            "The decrypted DingTalk message is unreadable: {e}",
            "解密后的钉钉消息无法读取：{e}"
        )))
    })?;
    if let Message::Events(events) = message {
        for event in &events {
            store(db, door, rules, event).await?;
        }
    }
    Ok(HttpResponse::Ok().json(DingTalkReply::success(crypto, door.now)))
}

/// A Feishu header, when it is there and text.
fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

fn feishu_unreadable(door: &Door<'_>, e: &str) -> ApiError {
    door.malformed(ApiError::malformed(text!(
        "The Feishu message is unreadable: {e}",
        "飞书消息无法读取：{e}"
    )))
}

/// Feishu: the signature (with an Encrypt Key) is checked over the raw bytes before the
/// body is decrypted; the handshake alone comes unsigned, so it is answered only once it
/// decrypts with our key and carries our token.
async fn receive_feishu(
    db: &Db,
    door: &Door<'_>,
    rules: Rules,
    keys: &FeishuKeys,
    req: &HttpRequest,
    body: &[u8],
) -> ApiResult<HttpResponse> {
    let refused = |e: feishu::FeishuError| door.refused(e.reason(), &e.to_string());
    let headers = SignatureHeaders {
        timestamp: header(req, "x-lark-request-timestamp"),
        nonce: header(req, "x-lark-request-nonce"),
        signature: header(req, "x-lark-signature"),
    };
    let signed = headers.signature.is_some();
    if signed {
        keys.verify(headers, body, door.now).map_err(refused)?;
    }
    let envelope: serde_json::Value = parse_json(body).map_err(|e| door.malformed(e))?;
    let plain = keys.open(&envelope).map_err(|e| match e {
        feishu::OpenError::Refused(e) => refused(e),
        feishu::OpenError::Unreadable(e) => feishu_unreadable(door, &e),
    })?;
    match feishu::parse(&plain, door.now).map_err(|e| feishu_unreadable(door, &e))? {
        feishu::Message::Challenge { challenge, token } => {
            keys.check(token.as_deref(), None).map_err(refused)?;
            Ok(HttpResponse::Ok().json(serde_json::json!({ "challenge": challenge })))
        }
        feishu::Message::Event {
            token,
            app_id,
            event,
        } => {
            if keys.encrypts() && !signed {
                return Err(refused(feishu::FeishuError::SignatureMissing));
            }
            keys.check(token.as_deref(), app_id.as_deref())
                .map_err(refused)?;
            if let Some(event) = event {
                store(db, door, rules, &event).await?;
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
        (status = 401, description = "Signature missing or invalid, timestamp outside the tolerance, or echostr not decryptable for this source", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such source, or not a WeCom source", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/hr/sources/{source}/events")]
pub async fn check_source_url(
    clock: web::Data<Clock>,
    callbacks: web::Data<Callbacks>,
    name: web::Path<String>,
    query: web::Query<CallbackQuery>,
) -> ApiResult<HttpResponse> {
    let source = source(&callbacks, &name)?;
    let door = Door {
        source,
        callbacks: &callbacks,
        now: clock.now(),
    };
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
        return Err(door.refused("signature", "echostr missing"));
    }
    let SourceKeys::Callback(crypto) = &source.keys else {
        return Err(source_not_built(source));
    };
    let plain = query.open(&door, crypto, &echostr)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(plain))
}
