//! Entity tags from a row's version counter, and `If-Match` checks (412 when stale).

use std::future::{Ready, ready};

use actix_web::http::header::{self, EntityTag};
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
    /// 428 when the request carries no `If-Match`: for resources changed only with one.
    pub fn required(self) -> ApiResult<Self> {
        match self.0 {
            Some(_) => Ok(self),
            None => Err(ApiError::precondition_required()),
        }
    }

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
        let lines: Vec<_> = req.headers().get_all(header::IF_MATCH).collect();
        if lines.is_empty() {
            return ready(Ok(IfMatch(None)));
        }
        // Several header lines are one comma-separated list (RFC 9110, 5.3).
        let joined = lines
            .iter()
            .map(|v| v.to_str().ok())
            .collect::<Option<Vec<_>>>()
            .map(|parts| parts.join(","));
        ready(
            joined
                .as_deref()
                .and_then(parse_if_match)
                .map(|h| IfMatch(Some(h)))
                .ok_or_else(|| {
                    ApiError::malformed(text!(
                        "If-Match must be `*` or a list of quoted entity tags.",
                        "If-Match 须为 `*` 或带引号的实体标签列表。"
                    ))
                }),
        )
    }
}

/// `*`, or a list of entity tags (`"3"`, `W/"3"`); `None` when any part is neither.
/// actix's own parser drops the items it cannot read, so `"1", garbage` would pass as
/// `"1"` and `garbage` as an empty list: a client's mistake would go unnoticed.
fn parse_if_match(raw: &str) -> Option<header::IfMatch> {
    if raw.trim() == "*" {
        return Some(header::IfMatch::Any);
    }
    let mut tags = Vec::new();
    let mut rest = raw;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            break;
        }
        let (weak, quoted) = match rest.strip_prefix("W/") {
            Some(after) => (true, after),
            None => (false, rest),
        };
        let body = quoted.strip_prefix('"')?;
        let end = body.find('"')?;
        let tag = &body[..end];
        // etagc: any visible ASCII but the double quote (obs-text is not sent by our clients).
        if !tag.bytes().all(|b| b == 0x21 || (0x23..=0x7e).contains(&b)) {
            return None;
        }
        tags.push(if weak {
            EntityTag::new_weak(tag.to_owned())
        } else {
            EntityTag::new_strong(tag.to_owned())
        });
        rest = body[end + 1..].trim_start_matches([' ', '\t']);
        if !(rest.is_empty() || rest.starts_with(',')) {
            return None;
        }
    }
    // A list of nothing but commas names no tag at all: not a condition anyone meant.
    (!tags.is_empty()).then_some(header::IfMatch::Items(tags))
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
    fn an_unparsable_if_match_is_refused_whole() {
        for bad in [
            "garbage",
            "\"1\", garbage",
            "garbage, \"1\"",
            "\"1",
            "\"1\" \"2\"",
            "w/\"1\"",
            "*, \"1\"",
            "\"a b\"",
            ",",
            "",
        ] {
            assert!(parse_if_match(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn a_list_of_tags_and_star_parse_and_weak_tags_never_match() {
        let parsed = IfMatch(parse_if_match("\"2\" , W/\"3\",, \"a,b\""));
        assert!(parsed.check(Some(2)).is_ok());
        assert!(
            parsed.check(Some(3)).is_err(),
            "a weak tag never matches If-Match"
        );
        assert!(IfMatch(parse_if_match("W/\"3\"")).check(Some(3)).is_err());
        assert!(IfMatch(parse_if_match(" * ")).check(Some(3)).is_ok());
    }

    #[test]
    fn no_header_always_passes() {
        assert!(IfMatch::default().check(None).is_ok());
    }
}
