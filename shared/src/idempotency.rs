//! `Idempotency-Key` for creating POSTs: the same key with the same body answers the first
//! response again; the same key with another body is 422; a key still being served is 409.

use std::future::{Ready, ready};

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::db::{Db, DbConnection};
use crate::error::{ApiError, ApiResult};
use crate::text;

/// The keys' table, private to the platform.
pub(crate) mod schema {
    diesel::table! {
        idempotency_keys (scope, idempotency_key) {
            scope -> Text,
            idempotency_key -> Text,
            request_hash -> Text,
            status_code -> Nullable<Integer>,
            response_body -> Nullable<Text>,
            created_at -> Timestamp,
        }
    }
}

use schema::idempotency_keys;

/// The request's `Idempotency-Key`, if it sent one.
#[derive(Debug, Clone, Default)]
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(raw) = req.headers().get("idempotency-key") else {
            return ready(Ok(IdempotencyKey(None)));
        };
        let key = raw
            .to_str()
            .ok()
            .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()));
        ready(match key {
            Some(k) => Ok(IdempotencyKey(Some(k.to_owned()))),
            None => Err(ApiError::invalid_field(
                "Idempotency-Key",
                text!(
                    "must be 1 to 255 visible ASCII characters",
                    "须为 1 到 255 个可见 ASCII 字符"
                ),
            )),
        })
    }
}

/// What a creating handler answers: status and JSON body, replayable as they are.
pub struct Created {
    pub status: StatusCode,
    pub body: serde_json::Value,
}

enum Answer {
    Fresh(Created),
    Replay(StatusCode, String),
}

/// Runs `work` at most once per (token, route, key), in one transaction with the key and
/// its stored answer, and answers its response, or the stored one on a retry. A client
/// that disconnects mid-request leaves either nothing (its retry runs the work) or the
/// work and its answer together (its retry gets the answer): never a key without an
/// answer. Refused work stores nothing, so a corrected retry may use the key. Without a
/// key, `work` simply runs in its transaction.
pub async fn once<F>(
    db: &Db,
    caller: &Caller,
    key: IdempotencyKey,
    route: &str,
    request_body: &[u8],
    work: F,
) -> ApiResult<HttpResponse>
where
    F: FnOnce(&mut DbConnection) -> ApiResult<Created> + Send + 'static,
{
    let Some(key) = key.0 else {
        return db.write(work).await.map(respond);
    };
    // Scoped by the token itself (its digest), not by a name two tokens may share.
    let scope = format!("{}|{route}", caller.token_digest());
    let hash = hex::encode(Sha256::digest(request_body));
    let answer = db
        .write(move |conn| -> ApiResult<Answer> {
            if let Some(answer) = stored(conn, &scope, &key, &hash)? {
                return Ok(answer);
            }
            // The key first, so that a concurrent request with the same key waits on it
            // (PostgreSQL) and then answers "retry", instead of doing the work twice; the
            // answer is added before the same commit, so no key is ever left without one.
            let row = (
                idempotency_keys::scope.eq(&scope),
                idempotency_keys::idempotency_key.eq(&key),
                idempotency_keys::request_hash.eq(&hash),
                idempotency_keys::created_at.eq(chrono::Utc::now().naive_utc()),
            );
            diesel::insert_into(idempotency_keys::table)
                .values(row)
                .execute(conn)
                .map_err(|e| match e {
                    diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::UniqueViolation,
                        _,
                    ) => in_progress(),
                    other => other.into(),
                })?;
            let created = work(conn)?;
            diesel::update(idempotency_keys::table.find((&scope, &key)))
                .set((
                    idempotency_keys::status_code.eq(Some(i32::from(created.status.as_u16()))),
                    idempotency_keys::response_body.eq(Some(created.body.to_string())),
                ))
                .execute(conn)?;
            Ok(Answer::Fresh(created))
        })
        .await?;
    Ok(match answer {
        Answer::Fresh(created) => respond(created),
        Answer::Replay(status, body) => HttpResponse::build(status)
            .content_type("application/json")
            .insert_header(("idempotent-replayed", "true"))
            .body(body),
    })
}

fn respond(created: Created) -> HttpResponse {
    HttpResponse::build(created.status).json(created.body)
}

fn in_progress() -> ApiError {
    ApiError::conflict(text!(
        "A request with this Idempotency-Key was being served at the same time; retry to get its answer.",
        "使用该 Idempotency-Key 的另一请求正在同时处理；请重试以获取其结果。"
    ))
}

/// The stored answer for the key, `None` when the key is new, 422 when it was used with
/// another body.
fn stored(
    conn: &mut crate::db::DbConnection,
    scope: &str,
    key: &str,
    hash: &str,
) -> ApiResult<Option<Answer>> {
    let existing: Option<(String, Option<i32>, Option<String>)> = idempotency_keys::table
        .find((scope, key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::status_code,
            idempotency_keys::response_body,
        ))
        .get_result(conn)
        .optional()?;
    match existing {
        None => Ok(None),
        Some((stored, _, _)) if stored != hash => Err(ApiError::invalid_field(
            "Idempotency-Key",
            text!(
                "was already used with a different request body",
                "已用于另一个不同的请求体"
            ),
        )),
        Some((_, Some(status), Some(body))) => {
            let status = u16::try_from(status)
                .ok()
                .and_then(|s| StatusCode::from_u16(s).ok())
                .unwrap_or(StatusCode::OK);
            Ok(Some(Answer::Replay(status, body)))
        }
        // Rows of an older version that stored the key before its answer.
        Some(_) => Err(in_progress()),
    }
}
