//! `Idempotency-Key` for creating POSTs: the same key with the same body answers the first
//! response again; the same key with another body is 422; a key still being served is 409.

use std::future::{Ready, ready};

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::db::Db;
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

enum Claim {
    Fresh,
    Replay(StatusCode, String),
}

/// Runs `create` at most once per (caller, route, key) and answers its response, or the
/// stored one on a retry. Without a key, `create` simply runs.
pub async fn once<Fut>(
    db: &Db,
    caller: &Caller,
    key: IdempotencyKey,
    route: &str,
    request_body: &[u8],
    create: impl FnOnce() -> Fut,
) -> ApiResult<HttpResponse>
where
    Fut: Future<Output = ApiResult<Created>>,
{
    let Some(key) = key.0 else {
        return create().await.map(respond);
    };
    let scope = format!("{}|{route}", caller.identity());
    let hash = hex::encode(Sha256::digest(request_body));
    let claim = {
        let (scope, key, hash) = (scope.clone(), key.clone(), hash.clone());
        db.write(move |conn| claim(conn, &scope, &key, &hash))
            .await?
    };
    if let Claim::Replay(status, body) = claim {
        return Ok(HttpResponse::build(status)
            .content_type("application/json")
            .insert_header(("idempotent-replayed", "true"))
            .body(body));
    }
    match create().await {
        Ok(created) => {
            let body = created.body.to_string();
            let status = i32::from(created.status.as_u16());
            db.write(move |conn| {
                diesel::update(idempotency_keys::table.find((&scope, &key)))
                    .set((
                        idempotency_keys::status_code.eq(status),
                        idempotency_keys::response_body.eq(body),
                    ))
                    .execute(conn)?;
                Ok::<_, ApiError>(())
            })
            .await?;
            Ok(respond(created))
        }
        Err(err) => {
            // A refused request did nothing: free the key so a corrected retry may use it.
            db.write(move |conn| {
                diesel::delete(idempotency_keys::table.find((&scope, &key))).execute(conn)?;
                Ok::<_, ApiError>(())
            })
            .await?;
            Err(err)
        }
    }
}

fn respond(created: Created) -> HttpResponse {
    HttpResponse::build(created.status).json(created.body)
}

fn claim(
    conn: &mut crate::db::DbConnection,
    scope: &str,
    key: &str,
    hash: &str,
) -> ApiResult<Claim> {
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
        None => {
            diesel::insert_into(idempotency_keys::table)
                .values((
                    idempotency_keys::scope.eq(scope),
                    idempotency_keys::idempotency_key.eq(key),
                    idempotency_keys::request_hash.eq(hash),
                    idempotency_keys::created_at.eq(chrono::Utc::now().naive_utc()),
                ))
                .execute(conn)?;
            Ok(Claim::Fresh)
        }
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
            Ok(Claim::Replay(status, body))
        }
        Some(_) => Err(ApiError::conflict(text!(
            "A request with this Idempotency-Key is still being served; retry shortly.",
            "使用该 Idempotency-Key 的请求仍在处理中，请稍后重试。"
        ))),
    }
}
