//! Entity tags from a row's version counter, and `If-Match` checks (412 when stale).

use std::future::{Ready, ready};

use actix_web::http::header::{self, EntityTag, Header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload};

use crate::error::{ApiError, ApiResult};
use crate::text;

/// A versioned resource as an answer: its `ETag`, and its `Location` when just created.
pub fn respond(
    version: i64,
    created_location: Option<String>,
    body: &impl serde::Serialize,
) -> HttpResponse {
    let mut res = match created_location {
        Some(location) => {
            let mut r = HttpResponse::Created();
            r.insert_header((header::LOCATION, location));
            r
        }
        None => HttpResponse::Ok(),
    };
    res.insert_header(header::ETag(etag(version))).json(body)
}

/// The strong entity tag of version `version` of a resource.
pub fn etag(version: i64) -> EntityTag {
    EntityTag::new_strong(version.to_string())
}

/// The `If-Match` header of a request, if any.
#[derive(Debug, Clone, Default)]
pub struct IfMatch(Option<header::IfMatch>);

impl IfMatch {
    /// Passes when there is no header, when it is `*` and the resource exists, or when one
    /// of its tags is the current one; 412 otherwise.
    pub fn check(&self, current_version: Option<i64>) -> ApiResult<()> {
        let ok = match (&self.0, current_version) {
            (None, _) => true,
            (Some(header::IfMatch::Any), v) => v.is_some(),
            (Some(header::IfMatch::Items(_)), None) => false,
            (Some(header::IfMatch::Items(tags)), Some(v)) => {
                let current = etag(v);
                tags.iter().any(|t| t.strong_eq(&current))
            }
        };
        if ok {
            Ok(())
        } else {
            Err(ApiError::precondition_failed())
        }
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if !req.headers().contains_key(header::IF_MATCH) {
            return ready(Ok(IfMatch(None)));
        }
        ready(
            header::IfMatch::parse(req)
                .map(|h| IfMatch(Some(h)))
                .map_err(|_| {
                    ApiError::malformed(text!(
                        "If-Match must be `*` or a list of quoted entity tags.",
                        "If-Match 须为 `*` 或带引号的实体标签列表。"
                    ))
                }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(tags: &[&str]) -> IfMatch {
        IfMatch(Some(header::IfMatch::Items(
            tags.iter()
                .map(|t| EntityTag::new_strong(t.to_string()))
                .collect(),
        )))
    }

    #[test]
    fn a_matching_tag_passes_and_a_stale_one_is_412() {
        assert!(items(&["3"]).check(Some(3)).is_ok());
        assert!(items(&["2"]).check(Some(3)).is_err());
    }

    #[test]
    fn star_requires_the_resource_to_exist() {
        let any = IfMatch(Some(header::IfMatch::Any));
        assert!(any.check(Some(1)).is_ok());
        assert!(any.check(None).is_err());
    }

    #[test]
    fn no_header_always_passes() {
        assert!(IfMatch::default().check(None).is_ok());
    }
}
