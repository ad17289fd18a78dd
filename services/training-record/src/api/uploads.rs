//! Resumable uploads by tus 1.0 (core, creation, termination, expiration), as
//! tus-js-client and Uppy speak it: `POST /v1/training-sessions/{id}/uploads` creates,
//! `HEAD`/`PATCH`/`DELETE /v1/uploads/{id}` ask the offset, continue, terminate. A finished
//! upload becomes the material of the same id.

use actix_web::http::header::{self, HeaderName, HttpDate};
use actix_web::middleware::DefaultHeaders;
use actix_web::{
    HttpRequest, HttpResponse, HttpResponseBuilder, delete, head, options, patch, post, web,
};
use chrono::{DateTime, Utc};
use continuity_shared::audit::AuditContext;
use continuity_shared::auth::Caller;
use continuity_shared::clock::Clock;
use continuity_shared::db::Db;
use continuity_shared::error::ErrorKind;
use continuity_shared::http::docs::Problem;
use continuity_shared::ids::parse_path;
use continuity_shared::{ApiError, ApiResult, text};

use super::SESSION_WRITERS;
use super::materials::{header_str, probed};
use super::sessions::parse_session;
use crate::domain::ids::UploadId;
use crate::domain::upload::{
    self, Described, HashState, OFFSET_OCTET_STREAM, TUS_EXTENSIONS, TUS_VERSION, Upload,
};
use crate::service::TrainingError;
use crate::service::storage::{Storage, beyond_length, too_large};
use crate::service::uploads::{self as service, UploadLocks};
use crate::settings::Rules;

const TUS_RESUMABLE: HeaderName = HeaderName::from_static("tus-resumable");
const UPLOAD_OFFSET: HeaderName = HeaderName::from_static("upload-offset");
const UPLOAD_LENGTH: HeaderName = HeaderName::from_static("upload-length");
const UPLOAD_EXPIRES: HeaderName = HeaderName::from_static("upload-expires");

/// `Tus-Resumable: 1.0.0` on every answer of the protocol's routes, problems included.
pub fn tus_resumable() -> DefaultHeaders {
    DefaultHeaders::new().add((TUS_RESUMABLE, TUS_VERSION))
}

/// 412 (with the versions spoken) unless the request speaks tus 1.0.0.
fn require_tus(req: &HttpRequest) -> ApiResult<()> {
    if header_str(req, TUS_RESUMABLE) == Some(TUS_VERSION) {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorKind::PreconditionFailed,
        text!(
            "Send Tus-Resumable: 1.0.0; this server speaks tus 1.0.0 only.",
            "请发送 Tus-Resumable: 1.0.0；本服务仅支持 tus 1.0.0。"
        ),
    ))
}

/// A required size header (`Upload-Length`, `Upload-Offset`), else 400.
fn size_header(req: &HttpRequest, name: HeaderName) -> ApiResult<u64> {
    header_str(req, name.clone())
        .and_then(upload::parse_size)
        .ok_or_else(|| {
            let name = name.as_str().to_owned();
            ApiError::malformed(text!(
                "The {name} header must be a non-negative whole number of bytes.",
                "{name} 头须为非负整数（字节数）。"
            ))
        })
}

fn http_date(at: DateTime<Utc>) -> String {
    HttpDate::from(std::time::SystemTime::from(at)).to_string()
}

fn parse_upload(raw: &str) -> ApiResult<UploadId> {
    parse_path("upload_id", raw)
}

/// What this server supports: the tus version, its extensions and the largest upload.
#[utoipa::path(
    tag = "uploads",
    params(("session_id" = String, Path, description = "The session's UUID")),
    responses(
        (status = 204, description = "Tus-Version, Tus-Extension and Tus-Max-Size"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[options("/v1/training-sessions/{session_id}/uploads", wrap = "tus_resumable()")]
pub async fn discover(caller: Caller, storage: web::Data<Storage>) -> ApiResult<HttpResponse> {
    caller.require(SESSION_WRITERS)?;
    Ok(HttpResponse::NoContent()
        .insert_header(("tus-version", TUS_VERSION))
        .insert_header(("tus-extension", TUS_EXTENSIONS))
        .insert_header(("tus-max-size", storage.max_bytes.to_string()))
        .finish())
}

/// Creates a resumable upload (tus creation): `Upload-Length` bytes, described by
/// `Upload-Metadata` (`filename`, `filetype`, `kind`, `duration_seconds`, each Base64);
/// `Location` is where to `PATCH` the bytes.
#[utoipa::path(
    tag = "uploads",
    params(
        ("session_id" = String, Path, description = "The session's UUID"),
        ("Tus-Resumable" = String, Header, description = "`1.0.0`"),
        ("Upload-Length" = u64, Header, description = "The file's size in bytes"),
        ("Upload-Metadata" = Option<String>, Header, description = "`filename`, `filetype`, `kind`, `duration_seconds`: comma-separated `key base64(value)` pairs"),
    ),
    responses(
        (status = 201, description = "Created: Location, Upload-Expires"),
        (status = 400, description = "A missing or malformed header", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown session", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Not tus 1.0.0", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over the upload limit (default 8 GiB)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Metadata that does not describe a file", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/training-sessions/{session_id}/uploads", wrap = "tus_resumable()")]
#[allow(clippy::too_many_arguments)] // one extractor per thing the handler needs
pub async fn create_upload(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    clock: web::Data<Clock>,
    rules: web::Data<Rules>,
    storage: web::Data<Storage>,
    session: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require(SESSION_WRITERS)?;
    require_tus(&req)?;
    let session_id = parse_session(&session)?;
    let length = size_header(&req, UPLOAD_LENGTH)?;
    if length > storage.max_bytes {
        return Err(too_large(storage.max_bytes));
    }
    let file = describe(&req)?;
    let now = clock.now();
    let upload = Upload {
        upload_id: UploadId::new(),
        session_id,
        file,
        length,
        offset: 0,
        hash: HashState::default(),
        completed: false,
        expires_at: rules.upload_expires(now),
    };
    let id = upload.upload_id.to_string();
    storage.create_part(&id).await?;
    let upload = match service::create(&db, upload, now.naive_utc()).await {
        Ok(u) => u,
        Err(e) => {
            storage.remove_part(&id).await;
            return Err(e.into());
        }
    };
    let mut res = HttpResponse::Created();
    res.insert_header((header::LOCATION, format!("/v1/uploads/{id}")));
    Ok(with_expiry(&mut res, &upload).finish())
}

/// `Upload-Expires` (tus expiration) on every answer about an upload not yet finished.
fn with_expiry<'r>(
    res: &'r mut HttpResponseBuilder,
    upload: &Upload,
) -> &'r mut HttpResponseBuilder {
    if !upload.completed {
        res.insert_header((UPLOAD_EXPIRES, http_date(upload.expires_at)));
    }
    res
}

fn describe(req: &HttpRequest) -> ApiResult<Described> {
    let raw = match req.headers().get("upload-metadata") {
        None => "",
        Some(v) => v.to_str().map_err(|_| {
            ApiError::malformed(text!(
                "Upload-Metadata must be ASCII (values are Base64).",
                "Upload-Metadata 须为 ASCII（值为 Base64）。"
            ))
        })?,
    };
    let meta = upload::parse_metadata(raw).map_err(|e| ApiError::validation(vec![e]))?;
    upload::describe(&meta).map_err(ApiError::validation)
}

/// How far an upload has come: `Upload-Offset` of `Upload-Length` bytes.
#[utoipa::path(
    tag = "uploads",
    params(
        ("upload_id" = String, Path, description = "The upload's UUID"),
        ("Tus-Resumable" = String, Header, description = "`1.0.0`"),
    ),
    responses(
        (status = 200, description = "Upload-Offset, Upload-Length, Upload-Expires; Cache-Control: no-store"),
        (status = 401, description = "No token (a HEAD answer carries no body)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A role that may not upload", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown, terminated or expired", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Not tus 1.0.0", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not an upload id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[head("/v1/uploads/{upload_id}", wrap = "tus_resumable()")]
pub async fn upload_status(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    clock: web::Data<Clock>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require(SESSION_WRITERS)?;
    require_tus(&req)?;
    let id = parse_upload(&id)?;
    let upload = service::find(&db, id, clock.now()).await?;
    let mut res = HttpResponse::Ok();
    res.insert_header((UPLOAD_OFFSET, upload.offset.to_string()))
        .insert_header((UPLOAD_LENGTH, upload.length.to_string()))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    Ok(with_expiry(&mut res, &upload).finish())
}

/// Continues an upload from `Upload-Offset`, which must be where it stands (else 409);
/// the body (`application/offset+octet-stream`) is streamed to storage and hashed on the
/// way. What arrives before a connection breaks is kept, to resume from.
#[utoipa::path(
    tag = "uploads",
    params(
        ("upload_id" = String, Path, description = "The upload's UUID"),
        ("Tus-Resumable" = String, Header, description = "`1.0.0`"),
        ("Upload-Offset" = u64, Header, description = "Where this body starts: the offset HEAD reports"),
    ),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"),
    responses(
        (status = 204, description = "Received: the new Upload-Offset; when it reaches Upload-Length, the material `/v1/materials/{upload_id}` exists"),
        (status = 400, description = "A missing or malformed header, or the body broke off", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown, terminated or expired", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Upload-Offset is not where the upload stands, or another PATCH is under way", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Not tus 1.0.0", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Past the declared Upload-Length", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/offset+octet-stream", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/v1/uploads/{upload_id}", wrap = "tus_resumable()")]
#[allow(clippy::too_many_arguments)] // one extractor per thing the handler needs
pub async fn continue_upload(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    clock: web::Data<Clock>,
    rules: web::Data<Rules>,
    storage: web::Data<Storage>,
    locks: web::Data<UploadLocks>,
    audit: AuditContext,
    id: web::Path<String>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    caller.require(SESSION_WRITERS)?;
    require_tus(&req)?;
    if header_str(&req, header::CONTENT_TYPE) != Some(OFFSET_OCTET_STREAM) {
        return Err(ApiError::new(
            ErrorKind::UnsupportedMediaType,
            text!(
                "A PATCH body must be Content-Type: application/offset+octet-stream.",
                "PATCH 请求体的 Content-Type 须为 application/offset+octet-stream。"
            ),
        ));
    }
    let offset = size_header(&req, UPLOAD_OFFSET)?;
    let id = parse_upload(&id)?;
    let busy = || TrainingError::UploadOffset { id, offset };
    let _lock = locks.try_lock(id).ok_or_else(busy)?;
    let mut upload = service::find(&db, id, clock.now()).await?;
    if offset != upload.offset {
        return Err(TrainingError::UploadOffset {
            id,
            offset: upload.offset,
        }
        .into());
    }
    let declared = header_str(&req, header::CONTENT_LENGTH).and_then(upload::parse_size);
    if declared.is_some_and(|n| offset + n > upload.length) {
        return Err(beyond_length(upload.length));
    }
    if upload.completed {
        return Ok(received(&upload));
    }
    let key = id.to_string();
    let appended = storage
        .append_part(&key, offset, upload.length, upload.hash.clone(), payload)
        .await?;
    upload.offset = appended.offset;
    upload.hash = appended.hash;
    upload.expires_at = rules.upload_expires(clock.now());
    if upload.offset == upload.length {
        upload.completed = true;
        if upload.file.duration_seconds.is_none() {
            let seconds = storage.probe_part(&key).await;
            upload.file.duration_seconds = probed(upload.file.kind, seconds);
        }
        let sha256 = upload.hash.clone().finish();
        storage.finish_part(&key, &key).await?;
        let done = service::complete(
            &db,
            upload.clone(),
            offset,
            key.clone(),
            sha256,
            audit,
            **rules,
        );
        if let Err(e) = done.await {
            storage.unfinish_part(&key, &key).await;
            return Err(e.into());
        }
        storage.remove_part(&key).await;
    } else {
        service::record(&db, upload.clone(), offset).await?;
    }
    match appended.stopped {
        Some(e) => Err(e),
        None => Ok(received(&upload)),
    }
}

fn received(upload: &Upload) -> HttpResponse {
    let mut res = HttpResponse::NoContent();
    res.insert_header((UPLOAD_OFFSET, upload.offset.to_string()));
    with_expiry(&mut res, upload).finish()
}

/// Ends an upload (tus termination): its bytes so far are removed; a material it already
/// became stays.
#[utoipa::path(
    tag = "uploads",
    params(
        ("upload_id" = String, Path, description = "The upload's UUID"),
        ("Tus-Resumable" = String, Header, description = "`1.0.0`"),
    ),
    responses(
        (status = 204, description = "Terminated"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A PATCH is under way", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Not tus 1.0.0", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/v1/uploads/{upload_id}", wrap = "tus_resumable()")]
pub async fn terminate_upload(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    storage: web::Data<Storage>,
    locks: web::Data<UploadLocks>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require(SESSION_WRITERS)?;
    require_tus(&req)?;
    let id = parse_upload(&id)?;
    let _lock = locks
        .try_lock(id)
        .ok_or(TrainingError::UploadOffset { id, offset: 0 })?;
    service::terminate(&db, &storage, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
