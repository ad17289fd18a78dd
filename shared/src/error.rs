//! One error type for every service, rendered once as RFC 9457 `application/problem+json`.
//!
//! Each kind has a stable machine-readable `code`; titles and details follow the caller's
//! language. 5xx answers never carry internal text: the cause travels with the error as
//! its source and is logged once, with its chain, where the answer is rendered
//! ([`crate::http::problem::localize`]) or where a background task gives up on it.

use actix_web::http::StatusCode;
use actix_web::http::header::{ALLOW, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::i18n::{Lang, Text};
use crate::text;

pub type ApiResult<T> = Result<T, ApiError>;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    MalformedRequest,
    Validation,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PreconditionFailed,
    PreconditionRequired,
    PayloadTooLarge,
    UnsupportedMediaType,
    RangeNotSatisfiable,
    Upstream,
    Unavailable,
    Internal,
}

impl ErrorKind {
    pub fn status(self) -> StatusCode {
        match self {
            ErrorKind::MalformedRequest => StatusCode::BAD_REQUEST,
            ErrorKind::Validation => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ErrorKind::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorKind::RangeNotSatisfiable => StatusCode::RANGE_NOT_SATISFIABLE,
            ErrorKind::Upstream => StatusCode::BAD_GATEWAY,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable code, part of the contract: integrators may branch on it.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::MalformedRequest => "malformed_request",
            ErrorKind::Validation => "validation_failed",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not_found",
            ErrorKind::MethodNotAllowed => "method_not_allowed",
            ErrorKind::Conflict => "conflict",
            ErrorKind::PreconditionFailed => "precondition_failed",
            ErrorKind::PreconditionRequired => "precondition_required",
            ErrorKind::PayloadTooLarge => "payload_too_large",
            ErrorKind::UnsupportedMediaType => "unsupported_media_type",
            ErrorKind::RangeNotSatisfiable => "range_not_satisfiable",
            ErrorKind::Upstream => "upstream_failed",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Internal => "internal",
        }
    }

    fn title(self) -> Text {
        match self {
            ErrorKind::MalformedRequest => Text::new("Malformed request", "请求格式错误"),
            ErrorKind::Validation => Text::new("Invalid input", "输入无效"),
            ErrorKind::Unauthorized => Text::new("Authentication required", "需要身份验证"),
            ErrorKind::Forbidden => Text::new("Not allowed", "无权执行此操作"),
            ErrorKind::NotFound => Text::new("Not found", "未找到"),
            ErrorKind::MethodNotAllowed => Text::new("Method not allowed", "不支持该请求方法"),
            ErrorKind::Conflict => Text::new("Conflict", "状态冲突"),
            ErrorKind::PreconditionFailed => Text::new("Precondition failed", "前提条件不成立"),
            ErrorKind::PreconditionRequired => Text::new("Precondition required", "缺少前提条件"),
            ErrorKind::PayloadTooLarge => Text::new("Request body too large", "请求体过大"),
            ErrorKind::UnsupportedMediaType => {
                Text::new("Unsupported content type", "不支持的内容类型")
            }
            ErrorKind::RangeNotSatisfiable => Text::new("Range not satisfiable", "请求范围无效"),
            ErrorKind::Upstream => Text::new("Upstream service failed", "上游服务出错"),
            ErrorKind::Unavailable => Text::new("Service unavailable", "服务暂不可用"),
            ErrorKind::Internal => Text::new("Internal error", "内部错误"),
        }
    }
}

/// One invalid field of a request: `field` is a path such as `hire_date` or `rows[3].name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: Text,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: Text) -> Self {
        Self {
            field: field.into(),
            message,
        }
    }
}

/// What caused an error, kept for the log and never shown to the caller.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug)]
pub struct ApiError {
    kind: ErrorKind,
    detail: Text,
    errors: Vec<FieldError>,
    allow: Option<String>,
    source: Option<Cause>,
}

#[derive(Serialize)]
struct ProblemBody<'a> {
    #[serde(rename = "type")]
    type_: String,
    title: &'a str,
    status: u16,
    detail: &'a str,
    code: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<ProblemField<'a>>,
}

#[derive(Serialize)]
struct ProblemField<'a> {
    field: &'a str,
    message: &'a str,
}

impl ApiError {
    pub fn new(kind: ErrorKind, detail: Text) -> Self {
        Self {
            kind,
            detail,
            errors: Vec::new(),
            allow: None,
            source: None,
        }
    }

    /// Keeps `cause` for the log.
    pub fn with_source(mut self, cause: impl Into<Cause>) -> Self {
        self.source = Some(cause.into());
        self
    }

    /// The error and its causes, outermost first, for a log line.
    pub fn chain(&self) -> String {
        let mut out = self.to_string();
        let mut next: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(self);
        while let Some(e) = next {
            out.push_str(": ");
            out.push_str(&e.to_string());
            next = e.source();
        }
        out
    }

    /// Whether the error is ours rather than the caller's (5xx), so worth a log line.
    pub fn is_server_error(&self) -> bool {
        self.kind.status().is_server_error()
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The detail in English (what travels between services).
    pub fn detail_en(&self) -> &str {
        &self.detail.en
    }

    pub fn field_errors(&self) -> &[FieldError] {
        &self.errors
    }

    pub fn malformed(detail: Text) -> Self {
        Self::new(ErrorKind::MalformedRequest, detail)
    }

    /// 422 naming every invalid field.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let mut e = Self::new(
            ErrorKind::Validation,
            text!("The request has invalid fields.", "请求中有无效字段。"),
        );
        e.errors = errors;
        e
    }

    pub fn invalid_field(field: impl Into<String>, message: Text) -> Self {
        Self::validation(vec![FieldError::new(field, message)])
    }

    pub fn not_found(detail: Text) -> Self {
        Self::new(ErrorKind::NotFound, detail)
    }

    pub fn conflict(detail: Text) -> Self {
        Self::new(ErrorKind::Conflict, detail)
    }

    pub fn unauthorized(detail: Text) -> Self {
        Self::new(ErrorKind::Unauthorized, detail)
    }

    pub fn forbidden(detail: Text) -> Self {
        Self::new(ErrorKind::Forbidden, detail)
    }

    pub fn precondition_failed() -> Self {
        Self::new(
            ErrorKind::PreconditionFailed,
            text!(
                "The resource has changed since you read it (If-Match does not match its ETag).",
                "资源在您读取后已被修改（If-Match 与当前 ETag 不符）。"
            ),
        )
    }

    /// 428: a change that must name the version it replaces came without `If-Match`.
    pub fn precondition_required() -> Self {
        Self::new(
            ErrorKind::PreconditionRequired,
            text!(
                "Send If-Match with the ETag you read (or `*`): this resource is changed only with it.",
                "请携带读取时得到的 ETag 作为 If-Match（或 `*`）：此资源只能带条件修改。"
            ),
        )
    }

    pub fn method_not_allowed(allow: Vec<&str>) -> Self {
        let list = allow.join(", ");
        let mut e = Self::new(
            ErrorKind::MethodNotAllowed,
            text!(
                "This resource supports only: {list}.",
                "该资源仅支持：{list}。"
            ),
        );
        e.allow = Some(list);
        e
    }

    pub fn unavailable(detail: Text) -> Self {
        Self::new(ErrorKind::Unavailable, detail)
    }

    /// An unexpected failure: answered without its cause, which is logged once where the
    /// answer is rendered.
    pub fn internal(cause: impl Into<Cause>) -> Self {
        Self::new(
            ErrorKind::Internal,
            text!(
                "Something went wrong on our side; the request id identifies it in our logs.",
                "服务内部出错；可凭请求 ID 在日志中查找。"
            ),
        )
        .with_source(cause)
    }

    /// The problem document in one language.
    pub fn to_response(&self, lang: Lang) -> HttpResponse {
        let title = self.kind.title();
        let body = ProblemBody {
            type_: format!("urn:continuity:problem:{}", self.kind.code()),
            title: title.get(lang),
            status: self.kind.status().as_u16(),
            detail: self.detail.get(lang),
            code: self.kind.code(),
            errors: self
                .errors
                .iter()
                .map(|f| ProblemField {
                    field: &f.field,
                    message: f.message.get(lang),
                })
                .collect(),
        };
        let mut res = HttpResponse::build(self.kind.status());
        res.insert_header((CONTENT_TYPE, PROBLEM_JSON))
            .insert_header(("content-language", lang.tag()));
        match self.kind {
            ErrorKind::Unauthorized => {
                res.insert_header((WWW_AUTHENTICATE, "Bearer"));
            }
            ErrorKind::Unavailable => {
                res.insert_header((RETRY_AFTER, "1"));
            }
            _ => {}
        }
        if let Some(allow) = &self.allow {
            res.insert_header((ALLOW, allow.as_str()));
        }
        let json = serde_json::to_vec(&body).unwrap_or_default();
        res.body(json)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.code(), self.detail.en)
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.kind.status()
    }

    /// English here; [`crate::http::problem::localize`] renders it again in the caller's
    /// language, since actix gives no request to this method.
    fn error_response(&self) -> HttpResponse {
        self.to_response(Lang::En)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;

    #[actix_web::test]
    async fn validation_problems_name_each_field_in_the_callers_language() {
        let err = ApiError::invalid_field("hire_date", text!("not a date", "不是日期"));
        let res = err.to_response(Lang::ZhCn);
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(res.headers().get(CONTENT_TYPE).unwrap(), PROBLEM_JSON);
        let body: serde_json::Value =
            serde_json::from_slice(&to_bytes(res.into_body()).await.unwrap()).unwrap();
        assert_eq!(body["status"], 422);
        assert_eq!(body["title"], "输入无效");
        assert_eq!(body["errors"][0]["field"], "hire_date");
        assert_eq!(body["errors"][0]["message"], "不是日期");
    }

    #[derive(Debug, thiserror::Error)]
    #[error("saving the roster")]
    struct Saving(#[source] std::io::Error);

    #[actix_web::test]
    async fn an_internal_error_keeps_its_causes_for_the_log_and_shows_none_of_them() {
        let err = ApiError::internal(Saving(std::io::Error::other("disk on fire")));
        assert!(err.is_server_error());
        let chain = err.chain();
        assert!(
            chain.ends_with("saving the roster: disk on fire"),
            "{chain}"
        );
        let body = to_bytes(err.to_response(Lang::En).into_body())
            .await
            .unwrap();
        let body = String::from_utf8(body.to_vec()).unwrap();
        assert!(!body.contains("disk") && !body.contains("roster"), "{body}");
    }

    #[test]
    fn method_not_allowed_lists_the_allowed_methods() {
        let res = ApiError::method_not_allowed(vec!["GET", "PUT"]).to_response(Lang::En);
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(res.headers().get(ALLOW).unwrap(), "GET, PUT");
    }
}
