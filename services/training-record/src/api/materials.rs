//! `/v1/training-sessions/{id}/materials` and `/v1/materials/{id}`: uploads streamed to
//! storage, links, and the content served with ranges and validators.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use continuity_shared::audit::AuditContext;
use continuity_shared::auth::Caller;
use continuity_shared::clock;
use continuity_shared::db::Db;
use continuity_shared::http::body::{body_limit, parse_json, read_body};
use continuity_shared::http::docs::Problem;
use continuity_shared::ids::parse_path;
use continuity_shared::{ApiError, ApiResult, FieldError, text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::sessions::parse_session;
use super::{READERS, SESSION_WRITERS};
use crate::domain::ids::MaterialId;
use crate::domain::material::{
    Content, Material, MaterialKind, check_duration, parse_filename, parse_link,
};
use crate::service::materials;
use crate::service::storage::{Storage, too_large};
use crate::settings::Rules;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name as shown and offered for download.
    pub filename: Option<String>,
    /// `video`, `slides` or `document`; default `video` for a `video/*` body, else `document`.
    #[param(value_type = Option<MaterialKind>)]
    pub kind: Option<String>,
    /// A recording's length in seconds (default: read from an MP4's metadata, else the
    /// session's duration).
    #[param(value_type = Option<u32>)]
    pub duration_seconds: Option<String>,
}

/// A link to the company's video platform, sent as JSON instead of a file.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    pub url: String,
    pub kind: MaterialKind,
    /// Shown in lists; default the URL's last segment.
    pub filename: Option<String>,
    pub duration_seconds: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MaterialResponse {
    pub material_id: String,
    pub session_id: String,
    pub kind: MaterialKind,
    pub filename: String,
    /// Stored files: size, SHA-256 and type; links: `url`.
    pub size_bytes: Option<u64>,
    pub sha256: Option<String>,
    pub content_type: Option<String>,
    pub url: Option<String>,
    pub duration_seconds: Option<u32>,
    pub created_at: DateTime<Utc>,
}

impl MaterialResponse {
    fn new(m: &Material, at: chrono::NaiveDateTime) -> Self {
        let (size_bytes, sha256, content_type, url) = match &m.content {
            Content::Stored {
                size_bytes,
                sha256,
                content_type,
                ..
            } => (
                Some(*size_bytes),
                Some(sha256.clone()),
                Some(content_type.clone()),
                None,
            ),
            Content::Link { url } => (None, None, None, Some(url.clone())),
        };
        Self {
            material_id: m.material_id.to_string(),
            session_id: m.session_id.to_string(),
            kind: m.kind,
            filename: m.filename.clone(),
            size_bytes,
            sha256,
            content_type,
            url,
            duration_seconds: m.duration_seconds,
            created_at: clock::utc(at),
        }
    }
}

fn invalid(e: FieldError) -> ApiError {
    ApiError::validation(vec![e])
}

/// The body's media type, checked to be `type/subtype` (what is served back later).
fn media_type(req: &HttpRequest) -> ApiResult<String> {
    use actix_web::HttpMessage;
    match req.mime_type() {
        Ok(Some(m)) => Ok(m.essence_str().to_owned()),
        Ok(None) => Ok("application/octet-stream".to_owned()),
        Err(_) => Err(ApiError::new(
            continuity_shared::error::ErrorKind::UnsupportedMediaType,
            text!(
                "Content-Type is not a media type.",
                "Content-Type 不是有效的媒体类型。"
            ),
        )),
    }
}

fn upload_material(
    q: &UploadQuery,
    session: crate::domain::ids::SessionId,
    content_type: &str,
) -> ApiResult<(MaterialKind, String, Option<u32>)> {
    let filename = parse_filename(q.filename.as_deref().unwrap_or("")).map_err(invalid)?;
    let kind = match q.kind.as_deref() {
        None => MaterialKind::default_for(content_type),
        Some(k) => MaterialKind::parse(k).ok_or_else(|| {
            ApiError::invalid_field(
                "kind",
                text!(
                    "must be video, slides or document",
                    "须为 video、slides 或 document"
                ),
            )
        })?,
    };
    let duration = match q.duration_seconds.as_deref() {
        None => None,
        Some(d) => Some(check_duration(d.parse::<u32>().unwrap_or(0)).map_err(invalid)?),
    };
    let _ = session;
    Ok((kind, filename, duration))
}

/// A recording's duration read from its file, when the request gave none and it is sane.
pub(super) fn probed(kind: MaterialKind, seconds: Option<u32>) -> Option<u32> {
    seconds
        .filter(|_| kind == MaterialKind::Video)
        .and_then(|s| check_duration(s).ok())
}

/// Add a material. The request body is the file itself, streamed to storage with its
/// size and SHA-256 computed on the way (`Content-Type` its type, `?filename=&kind=`);
/// or, with `Content-Type: application/json`, a link to a video platform.
#[utoipa::path(
    tag = "materials",
    params(("session_id" = String, Path, description = "The session's UUID"), UploadQuery),
    request_body(content = LinkRequest, description = "The file (any type), or a JSON link"),
    responses(
        (status = 201, body = MaterialResponse),
        (status = 400, description = "Malformed JSON, or the upload was interrupted", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown session", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over the upload limit (default 8 GiB)", body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/training-sessions/{session_id}/materials")]
#[allow(clippy::too_many_arguments)] // one extractor per thing the handler needs
pub async fn add_material(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Db>,
    audit: AuditContext,
    rules: web::Data<Rules>,
    storage: web::Data<Storage>,
    session: web::Path<String>,
    query: web::Query<UploadQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    caller.require(SESSION_WRITERS)?;
    let session = parse_session(&session)?;
    let content_type = media_type(&req)?;
    let material_id = MaterialId::new();
    let material = if content_type == "application/json" {
        let body = read_body(payload.into_inner(), body_limit(&req)).await?;
        let link: LinkRequest = parse_json(&body)?;
        let url = parse_link(&link.url).map_err(invalid)?;
        let name = link.filename.unwrap_or_else(|| {
            url.trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("link")
                .to_owned()
        });
        Material {
            material_id,
            session_id: session,
            kind: link.kind,
            filename: parse_filename(&name).map_err(invalid)?,
            content: Content::Link { url },
            duration_seconds: link
                .duration_seconds
                .map(check_duration)
                .transpose()
                .map_err(invalid)?,
        }
    } else {
        let (kind, filename, duration_seconds) = upload_material(&query, session, &content_type)?;
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > storage.max_bytes) {
            return Err(too_large(storage.max_bytes));
        }
        materials::require_session(&db, session).await?;
        let stored = storage
            .receive(&material_id.to_string(), declared, payload)
            .await?;
        Material {
            material_id,
            session_id: session,
            kind,
            filename,
            content: Content::Stored {
                key: stored.key,
                size_bytes: stored.size_bytes,
                sha256: stored.sha256,
                content_type,
            },
            duration_seconds: duration_seconds.or(probed(kind, stored.duration_seconds)),
        }
    };
    let key = match &material.content {
        Content::Stored { key, .. } => Some(key.clone()),
        Content::Link { .. } => None,
    };
    match materials::add(&db, material, audit, **rules).await {
        Ok((m, at)) => Ok(HttpResponse::Created()
            .insert_header((header::LOCATION, format!("/v1/materials/{}", m.material_id)))
            .json(MaterialResponse::new(&m, at))),
        Err(e) => {
            if let Some(k) = key {
                storage.remove(&k).await;
            }
            Err(e.into())
        }
    }
}

/// One material's description.
#[utoipa::path(
    tag = "materials",
    params(("material_id" = String, Path, description = "The material's UUID")),
    responses(
        (status = 200, body = MaterialResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/materials/{material_id}")]
pub async fn get_material(
    caller: Caller,
    db: web::Data<Db>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require_self_or_member()?;
    let id: MaterialId = parse_path("material_id", &id)?;
    let (m, at) = materials::get(&db, id).await?;
    Ok(HttpResponse::Ok().json(MaterialResponse::new(&m, at)))
}

pub(super) fn header_str(req: &HttpRequest, name: header::HeaderName) -> Option<&str> {
    req.headers()
        .get(name)
        .and_then(|v: &HeaderValue| v.to_str().ok())
}

/// Readers of content: every reader, and members (they watch).
pub(super) trait ContentReader {
    fn require_self_or_member(&self) -> ApiResult<()>;
}

impl ContentReader for Caller {
    fn require_self_or_member(&self) -> ApiResult<()> {
        let mut roles = READERS.to_vec();
        roles.push(continuity_shared::auth::Role::Member);
        self.require(&roles)
    }
}
