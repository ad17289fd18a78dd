//! Every error answered as problem+json in the caller's language, including actix's own
//! (bad query or path, unknown route, wrong method).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::error::{PathError, QueryPayloadError};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, web};
use utoipa::openapi::OpenApi;

use crate::error::{ApiError, ErrorKind, FieldError};
use crate::i18n::{Lang, Text};
use crate::text;

/// Middleware: renders API errors again in the caller's language, and turns any error
/// response that is not already a problem (actix's plain-text ones) into one.
pub async fn localize(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let lang = Lang::negotiate(req.headers());
    let res = next.call(req).await?;
    let status = res.status();
    let rendered = match res.response().error() {
        Some(err) => match err.as_error::<ApiError>() {
            // Ours, not the caller's: logged once, here, inside the request's span, with
            // the whole chain of causes.
            Some(api) if api.is_server_error() => {
                tracing::error!(error = %api.chain(), "request failed on our side");
                (lang != Lang::En).then(|| api.to_response(lang))
            }
            Some(api) if lang != Lang::En => Some(api.to_response(lang)),
            Some(_) => None,
            None => Some(from_status(status).to_response(lang)),
        },
        None => None,
    };
    Ok(match rendered {
        Some(problem) => res.into_response(problem).map_into_right_body(),
        None => res.map_into_left_body(),
    })
}

fn from_status(status: actix_web::http::StatusCode) -> ApiError {
    let kind = match status.as_u16() {
        400 => ErrorKind::MalformedRequest,
        401 => ErrorKind::Unauthorized,
        403 => ErrorKind::Forbidden,
        404 => ErrorKind::NotFound,
        409 => ErrorKind::Conflict,
        412 => ErrorKind::PreconditionFailed,
        428 => ErrorKind::PreconditionRequired,
        413 => ErrorKind::PayloadTooLarge,
        415 => ErrorKind::UnsupportedMediaType,
        416 => ErrorKind::RangeNotSatisfiable,
        422 => ErrorKind::Validation,
        503 => ErrorKind::Unavailable,
        s if s < 500 => ErrorKind::MalformedRequest,
        _ => ErrorKind::Internal,
    };
    ApiError::new(
        kind,
        text!("The request could not be served.", "无法处理该请求。"),
    )
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        let msg = match &err {
            QueryPayloadError::Deserialize(e) => e.to_string(),
            other => other.to_string(),
        };
        let field = msg
            .split('`')
            .nth(1)
            .filter(|_| msg.contains("field `"))
            .unwrap_or("query")
            .to_owned();
        ApiError::validation(vec![FieldError::new(field, Text::new(msg.clone(), msg))]).into()
    })
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, _req| {
        let msg = match &err {
            PathError::Deserialize(e) => e.to_string(),
            other => other.to_string(),
        };
        ApiError::validation(vec![FieldError::new("path", Text::new(msg.clone(), msg))]).into()
    })
}

/// Paths and methods the service serves, read from its OpenAPI document, so that an
/// unknown method on a known path is a 405 with `Allow` rather than actix's 404.
pub struct RouteTable(Vec<(ResourceDef, Vec<&'static str>)>);

impl RouteTable {
    pub fn from_openapi(doc: &OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, present)| present.then_some(m))
                .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        Self(routes)
    }

    fn allowed(&self, path: &str) -> Option<Vec<&'static str>> {
        self.0
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map(|(_, methods)| methods.clone())
    }
}

/// The default service: 405 with `Allow` for a known path, 404 otherwise.
pub async fn fallback(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<actix_web::HttpResponse, ApiError> {
    Err(match routes.allowed(req.path()) {
        Some(methods) if !methods.is_empty() => ApiError::method_not_allowed(methods),
        _ => ApiError::not_found(text!(
            "There is nothing at this path.",
            "该路径下没有资源。"
        )),
    })
}
