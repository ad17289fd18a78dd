//! `GET /v1/materials/{id}/content`: the stored file, with one `Range`, `ETag` from its
//! SHA-256 (the same on every replica and after a restore), `Last-Modified`,
//! `If-None-Match` and `If-Range`; a link answers with a redirect to it.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use continuity_shared::auth::Caller;
use continuity_shared::clock::Clock;
use continuity_shared::db::Db;
use continuity_shared::error::ErrorKind;
use continuity_shared::http::docs::Problem;
use continuity_shared::ids::parse_path;
use continuity_shared::{ApiError, ApiResult, clock, text};

use super::materials::{ContentReader, header_str};
use crate::domain::delivery::{Delivery, Validators, decide};
use crate::domain::ids::MaterialId;
use crate::domain::material::Content;
use crate::domain::playback::PlaybackKey;
use crate::service::materials;
use crate::service::storage::Storage;
use crate::settings::Rules;

/// The stored content of a material: with a bearer token, or with the `expires` and
/// `signature` of a URL from `GET /v1/materials/{material_id}/playback` instead.
#[utoipa::path(
    tag = "materials",
    security((), ("bearer" = [])),
    params(
        ("material_id" = String, Path, description = "The material's UUID"),
        ("expires" = Option<i64>, Query, description = "A signed URL's end, Unix seconds"),
        ("signature" = Option<String>, Query, description = "A signed URL's hex HMAC-SHA256 over `{material_id}:{expires}`"),
        ("Range" = Option<String>, Header, description = "One byte range: `bytes=0-99`, `bytes=100-`, `bytes=-500`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag held: 304 when current"),
        ("If-Range" = Option<String>, Header, description = "Serve the range only if this ETag or date is current"),
    ),
    responses(
        (status = 200, description = "The whole file", content_type = "application/octet-stream"),
        (status = 206, description = "The range asked for", content_type = "application/octet-stream"),
        (status = 303, description = "A link: its URL in Location"),
        (status = 304, description = "Not modified"),
        (status = 401, description = "No token and no signature, or an unknown token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A role that may not read materials, or a tampered or expired signature", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 416, description = "No byte of the range exists", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The material's file is missing from storage (logged; restore it)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/materials/{material_id}/content")]
pub async fn get_content(
    req: HttpRequest,
    caller: Result<Caller, ApiError>,
    db: web::Data<Db>,
    storage: web::Data<Storage>,
    key: web::Data<PlaybackKey>,
    clock: web::Data<Clock>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id: MaterialId = parse_path("material_id", &id)?;
    match signed(&req) {
        Some((expires, signature)) => {
            let now = clock.now().timestamp();
            let Ok(expires) = expires.parse::<i64>() else {
                return Err(refused());
            };
            key.verify(&id, expires, &signature, now)
                .map_err(|_| refused())?;
        }
        None => caller?.require_self_or_member()?,
    }
    let (m, at) = materials::get(&db, id).await?;
    let (key, size, sha256, content_type) = match m.content {
        Content::Link { url } => {
            return Ok(HttpResponse::SeeOther()
                .insert_header((header::LOCATION, url))
                .finish());
        }
        Content::Stored {
            key,
            size_bytes,
            sha256,
            content_type,
        } => (key, size_bytes, sha256, content_type),
    };
    let etag = format!("\"sha256-{sha256}\"");
    let last_modified =
        header::HttpDate::from(std::time::SystemTime::from(clock::utc(at))).to_string();
    let v = Validators {
        etag: &etag,
        last_modified: &last_modified,
    };
    let decision = decide(
        size,
        v,
        header_str(&req, header::IF_NONE_MATCH),
        header_str(&req, header::RANGE),
        header_str(&req, header::IF_RANGE),
    );
    let mut res = match decision {
        Delivery::NotModified => HttpResponse::NotModified(),
        Delivery::Full => HttpResponse::Ok(),
        Delivery::Partial { .. } => HttpResponse::PartialContent(),
        Delivery::Unsatisfiable => {
            let e = ApiError::new(
                ErrorKind::RangeNotSatisfiable,
                text!(
                    "The range is outside the file of {size} bytes.",
                    "范围超出 {size} 字节的文件。"
                ),
            );
            let mut r = e.to_response(continuity_shared::i18n::Lang::of(&req));
            r.headers_mut().insert(
                header::CONTENT_RANGE,
                header::HeaderValue::from_str(&format!("bytes */{size}"))
                    .map_err(ApiError::internal)?,
            );
            return Ok(r);
        }
    };
    res.insert_header((header::ETAG, etag.clone()))
        .insert_header((header::LAST_MODIFIED, last_modified.clone()))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::CACHE_CONTROL, "private, max-age=0"));
    if decision == Delivery::NotModified {
        return Ok(res.finish());
    }
    let (start, end) = match decision {
        Delivery::Partial { start, end } => {
            res.insert_header((header::CONTENT_RANGE, format!("bytes {start}-{end}/{size}")));
            (start, end)
        }
        _ => (0, size.saturating_sub(1)),
    };
    let len = if size == 0 { 0 } else { end - start + 1 };
    let body = storage.read(&key, start, len).await?;
    Ok(res
        .content_type(content_type)
        .no_chunking(len)
        .streaming(body))
}

/// The `expires` and `signature` of a signed URL, when the query has either.
fn signed(req: &HttpRequest) -> Option<(String, String)> {
    let mut expires = None;
    let mut signature = None;
    for (k, v) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        match k.as_ref() {
            "expires" => expires = Some(v.into_owned()),
            "signature" => signature = Some(v.into_owned()),
            _ => {}
        }
    }
    if expires.is_none() && signature.is_none() {
        return None;
    }
    Some((expires.unwrap_or_default(), signature.unwrap_or_default()))
}

fn refused() -> ApiError {
    ApiError::forbidden(text!(
        "The playback link is not valid or has expired.",
        "播放链接无效或已过期。"
    ))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PlaybackResponse {
    /// The content URL, relative to this service: `/v1/materials/{id}/content?expires=…&signature=…`.
    pub url: String,
    /// When the URL stops working.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// A short-lived signed content URL for players that cannot send a bearer token (a
/// browser's `<video>`); it holds for `training_record.playback_seconds` (default 600).
#[utoipa::path(
    tag = "materials",
    params(("material_id" = String, Path, description = "The material's UUID")),
    responses(
        (status = 200, body = PlaybackResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/materials/{material_id}/playback")]
pub async fn get_playback(
    caller: Caller,
    db: web::Data<Db>,
    key: web::Data<PlaybackKey>,
    rules: web::Data<Rules>,
    clock: web::Data<Clock>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require_self_or_member()?;
    let id: MaterialId = parse_path("material_id", &id)?;
    materials::get(&db, id).await?;
    let expires_at = clock.now() + chrono::Duration::seconds(i64::from(rules.playback_seconds));
    let expires = expires_at.timestamp();
    let signature = key.sign(&id, expires);
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(PlaybackResponse {
            url: format!("/v1/materials/{id}/content?expires={expires}&signature={signature}"),
            expires_at: chrono::DateTime::from_timestamp(expires, 0).unwrap_or(expires_at),
        }))
}
