//! Request bodies: read with a size limit, JSON parsed with the path of any bad field.

use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::web::{Bytes, BytesMut};
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ApiResult, ErrorKind, FieldError};
use crate::i18n::Text;
use crate::text;

/// The largest body a service accepts, from `http.body_limit_bytes`.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON body. Unlike actix's own, it answers every failure as problem+json:
/// 415 for a wrong content type, 413 over the limit, 400 for malformed JSON and 422
/// naming the field for a well-formed body with a wrong or missing field.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let checked = require_content_type(req, is_json, "application/json");
        let limit = body_limit(req);
        let payload = payload.take();
        Box::pin(async move {
            checked?;
            let bytes = read_body(payload, limit).await?;
            parse_json(&bytes).map(Json)
        })
    }
}

/// A JSON body read after the handler's own checks (its role first), with the raw bytes
/// kept for an idempotent create to hash: the same 415, 413, 400 and 422 answers as
/// [`Json`].
pub async fn read_json<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
) -> ApiResult<(Bytes, T)> {
    require_content_type(req, is_json, "application/json")?;
    let body = read_body(payload.into_inner(), body_limit(req)).await?;
    let value = parse_json(&body)?;
    Ok((body, value))
}

fn is_json(mime: &str) -> bool {
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// 415 unless the request's media type passes `accept`.
pub fn require_content_type(
    req: &HttpRequest,
    accept: fn(&str) -> bool,
    expected: &str,
) -> ApiResult<()> {
    let mime = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    match mime {
        Some(m) if accept(&m) => Ok(()),
        _ => Err(ApiError::new(
            ErrorKind::UnsupportedMediaType,
            text!("Send the body as {expected}.", "请求体须为 {expected}。"),
        )),
    }
}

pub fn body_limit(req: &HttpRequest) -> usize {
    req.app_data::<web::Data<BodyLimit>>()
        .map_or(1 << 20, |l| l.0)
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        ErrorKind::PayloadTooLarge,
        text!(
            "The body is larger than the limit of {limit} bytes.",
            "请求体超过 {limit} 字节的上限。"
        ),
    )
}

/// Reads a whole body, refusing it (413) as soon as it passes `limit`.
pub async fn read_body(mut payload: Payload, limit: usize) -> ApiResult<Bytes> {
    let mut buf = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::malformed(text!(
                "The body could not be read: {e}",
                "无法读取请求体：{e}"
            ))
        })?;
        if buf.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// 413 straight away when the declared length is over the limit.
pub fn check_declared_length(req: &HttpRequest, limit: usize) -> ApiResult<()> {
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    match declared {
        Some(n) if n > limit => Err(too_large(limit)),
        _ => Ok(()),
    }
}

/// Reads one JSON value of type `T` and nothing after it but whitespace. Anything that is
/// not well-formed JSON (trailing data included) is 400, even when a field is also wrong.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if !inner.is_data() {
            return malformed(&inner);
        }
        // serde stops at the first wrong field, before it has seen the rest of the body.
        if let Err(syntax) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
            return malformed(&syntax);
        }
        let field = match path.as_str() {
            "." | "" => missing_field(&inner).unwrap_or_else(|| "body".into()),
            p => match missing_field(&inner) {
                Some(f) => format!("{p}.{f}"),
                None => p.to_owned(),
            },
        };
        let msg = strip_position(&inner.to_string());
        ApiError::validation(vec![FieldError::new(field, Text::new(msg.clone(), msg))])
    })?;
    // Without this a body such as `{"name":"x"} {"a":1}` would be read as its first value.
    de.end().map_err(|e| malformed(&e))?;
    Ok(value)
}

fn malformed(err: &serde_json::Error) -> ApiError {
    ApiError::malformed(text!(
        "The body is not valid JSON: {err}",
        "请求体不是有效的 JSON：{err}"
    ))
}

/// serde names a missing field only in its message: "missing field `name`".
fn missing_field(err: &serde_json::Error) -> Option<String> {
    let msg = err.to_string();
    let rest = msg.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_owned())
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// An outbound call's answer, whole, if it is at most `limit` bytes; `None` past the limit
/// (the rest is never read) or on a broken body: a peer cannot make us buffer without end.
pub async fn read_bounded(mut r: reqwest::Response, limit: usize) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        match r.chunk().await {
            Ok(Some(chunk)) if body.len() + chunk.len() <= limit => body.extend_from_slice(&chunk),
            Ok(Some(_)) | Err(_) => return None,
            Ok(None) => return Some(body),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        inner: Option<Inner>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    #[test]
    fn malformed_json_is_a_400() {
        let err = parse_json::<Body>(b"{\"name\": ").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MalformedRequest);
    }

    #[test]
    fn trailing_data_after_the_value_is_a_400() {
        for body in [
            &br#"{"name":"x"} {"a":1}"#[..],
            br#"{"name":"x"}garbage"#,
            br#"{"name":"x"}}"#,
            br#"{} garbage"#,
        ] {
            let err = parse_json::<Body>(body).unwrap_err();
            assert_eq!(
                err.kind(),
                ErrorKind::MalformedRequest,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        assert!(parse_json::<Body>(b"{\"name\":\"x\"}\r\n\t ").is_ok());
    }

    #[test]
    fn a_missing_field_is_a_422_naming_it() {
        let err = parse_json::<Body>(b"{}").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);
        assert_eq!(err.field_errors()[0].field, "name");
    }

    #[test]
    fn a_nested_field_of_the_wrong_type_is_named_by_its_path() {
        let err = parse_json::<Body>(br#"{"name":"a","inner":{"count":"x"}}"#).unwrap_err();
        assert_eq!(err.field_errors()[0].field, "inner.count");
    }
}
