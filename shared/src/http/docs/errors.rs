//! The errors the platform answers on its own (authentication, body and parameter parsing,
//! routing, the database and shutdown), added to every operation of a document in one
//! place. Handlers document only what is theirs (their 404 for an unknown id, their 409),
//! yet clients generated from the document know every status they may receive.

use std::collections::BTreeSet;
use std::collections::btree_map::Entry;

use utoipa::ToSchema;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{OpenApi, Ref, RefOr, Response};

use super::Problem;
use crate::error::PROBLEM_JSON;

/// What the rules need to know of one operation.
#[derive(Debug, Default, Clone, Copy)]
struct Shape {
    /// Needs a bearer token (the document's default, unless the operation opts out).
    secured: bool,
    body: bool,
    params: bool,
    path_params: bool,
    header_params: bool,
    /// A PUT or PATCH (they honour `If-Match`), or any operation declaring `If-Match`.
    if_match: bool,
    /// Declares an `Idempotency-Key` header.
    idempotency_key: bool,
}

/// One status the platform answers, the operations it applies to, and the shared response
/// (under `components.responses`) that documents it.
struct Rule {
    status: u16,
    name: &'static str,
    description: &'static str,
    header: Option<(&'static str, &'static str)>,
    applies: fn(&Shape) -> bool,
}

const RULES: &[Rule] = &[
    Rule {
        status: 400,
        name: "MalformedRequest",
        description: "Malformed request: a body that is not valid JSON, or a malformed header \
                      (such as `If-Match`).",
        header: None,
        applies: |s| s.body || s.header_params,
    },
    Rule {
        status: 401,
        name: "Unauthorized",
        description: "No bearer token, or one this service does not know.",
        header: Some(("WWW-Authenticate", "`Bearer`")),
        applies: |s| s.secured,
    },
    Rule {
        status: 403,
        name: "Forbidden",
        description: "The token's roles do not allow this operation.",
        header: None,
        applies: |s| s.secured,
    },
    Rule {
        status: 404,
        name: "NotFound",
        description: "Nothing at this path: an unknown id.",
        header: None,
        applies: |s| s.path_params,
    },
    Rule {
        // Answered for another method on this path; OpenAPI has no place for a path's own
        // responses, so each of its operations carries it.
        status: 405,
        name: "MethodNotAllowed",
        description: "The path does not take this method; `Allow` lists those it takes.",
        header: Some(("Allow", "The methods this path takes, e.g. `GET, PUT`.")),
        applies: |_| true,
    },
    Rule {
        status: 409,
        name: "Conflict",
        description: "A request with the same `Idempotency-Key` is still being served.",
        header: None,
        applies: |s| s.idempotency_key,
    },
    Rule {
        status: 412,
        name: "PreconditionFailed",
        description: "`If-Match` does not match the resource's current `ETag`.",
        header: None,
        applies: |s| s.if_match,
    },
    Rule {
        status: 413,
        name: "PayloadTooLarge",
        description: "The body is larger than the configured limit.",
        header: None,
        applies: |s| s.body,
    },
    Rule {
        status: 415,
        name: "UnsupportedMediaType",
        description: "The body is not of the media type the operation takes.",
        header: None,
        applies: |s| s.body,
    },
    Rule {
        status: 422,
        name: "ValidationFailed",
        description: "A parameter or field is invalid; `errors` names each one.",
        header: None,
        applies: |s| s.params || s.body,
    },
    Rule {
        status: 500,
        name: "Internal",
        description: "A failure on the service's side; the request id identifies it in the logs.",
        header: None,
        applies: |_| true,
    },
    Rule {
        status: 503,
        name: "Unavailable",
        description: "The database is busy or unreachable, or the service is shutting down; \
                      retry after `Retry-After` seconds.",
        header: Some(("Retry-After", "Seconds to wait before retrying.")),
        applies: |_| true,
    },
];

/// Adds to every operation of `doc` the problem responses the platform can answer and the
/// operation does not list yet; what a handler documents itself is kept as it is. The
/// shared responses go into `components.responses`, referenced from each operation.
pub fn document_errors(doc: &mut OpenApi) {
    let secured_by_default = requires_token(doc.security.as_deref());
    let mut used = BTreeSet::new();
    for item in doc.paths.paths.values_mut() {
        let path_level = item.parameters.clone().unwrap_or_default();
        for (put_or_patch, op) in operations(item) {
            let shape = shape(op, &path_level, put_or_patch, secured_by_default);
            for rule in RULES.iter().filter(|r| (r.applies)(&shape)) {
                let responses = &mut op.responses.responses;
                if let Entry::Vacant(slot) = responses.entry(rule.status.to_string()) {
                    slot.insert(RefOr::Ref(Ref::from_response_name(rule.name)));
                    used.insert(rule.name);
                }
            }
        }
    }
    let components = doc.components.get_or_insert_with(Default::default);
    for rule in RULES.iter().filter(|r| used.contains(r.name)) {
        components
            .responses
            .insert(rule.name.to_owned(), RefOr::T(response(rule)));
    }
}

/// The operations of a path, each with whether it is a PUT or PATCH.
fn operations(item: &mut PathItem) -> impl Iterator<Item = (bool, &mut Operation)> {
    [
        (false, &mut item.get),
        (true, &mut item.put),
        (false, &mut item.post),
        (false, &mut item.delete),
        (false, &mut item.options),
        (false, &mut item.head),
        (true, &mut item.patch),
        (false, &mut item.trace),
    ]
    .into_iter()
    .filter_map(|(put_or_patch, op)| op.as_mut().map(|op| (put_or_patch, op)))
}

fn shape(
    op: &Operation,
    path_level: &[utoipa::openapi::path::Parameter],
    put_or_patch: bool,
    secured_by_default: bool,
) -> Shape {
    let params: Vec<_> = path_level
        .iter()
        .chain(op.parameters.iter().flatten())
        .collect();
    let header = |name: &str| {
        params
            .iter()
            .any(|p| p.parameter_in == ParameterIn::Header && p.name.eq_ignore_ascii_case(name))
    };
    Shape {
        secured: match &op.security {
            None => secured_by_default,
            Some(reqs) => requires_token(Some(reqs)),
        },
        body: op.request_body.is_some(),
        params: !params.is_empty(),
        path_params: params.iter().any(|p| p.parameter_in == ParameterIn::Path),
        header_params: params.iter().any(|p| p.parameter_in == ParameterIn::Header),
        if_match: put_or_patch || header("If-Match"),
        idempotency_key: header("Idempotency-Key"),
    }
}

/// True when the requirements demand a token: some are listed and none is the empty one
/// (`security(())`, which makes a token optional).
fn requires_token(reqs: Option<&[SecurityRequirement]>) -> bool {
    reqs.is_some_and(|r| !r.is_empty() && !r.contains(&SecurityRequirement::default()))
}

fn response(rule: &Rule) -> Response {
    let problem = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name(Problem::name())))
        .build();
    let mut res = ResponseBuilder::new()
        .description(rule.description)
        .content(PROBLEM_JSON, problem);
    if let Some((name, description)) = rule.header {
        res = res.header(
            name,
            HeaderBuilder::new().description(Some(description)).build(),
        );
    }
    res.build()
}

#[cfg(test)]
mod tests {
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder};
    use utoipa::openapi::request_body::RequestBodyBuilder;

    use super::*;

    /// A document with one operation, given a few of its traits.
    fn one(
        method: HttpMethod,
        build: impl FnOnce(OperationBuilder) -> OperationBuilder,
    ) -> OpenApi {
        let mut doc = crate::http::docs::base_document("t", "d");
        let op = build(OperationBuilder::new().response("200", Response::new("ok"))).build();
        doc.paths
            .add_path_operation("/things/{id}", vec![method], op);
        document_errors(&mut doc);
        doc
    }

    fn statuses(doc: &OpenApi) -> Vec<String> {
        let item = doc.paths.paths.values().next().unwrap();
        let op = [&item.get, &item.put, &item.post, &item.delete, &item.patch]
            .into_iter()
            .flatten()
            .next()
            .unwrap();
        op.responses.responses.keys().cloned().collect()
    }

    fn param(name: &str, place: ParameterIn) -> ParameterBuilder {
        ParameterBuilder::new().name(name).parameter_in(place)
    }

    #[test]
    fn an_operation_needing_a_token_gets_401_403_405_500_and_503() {
        let doc = one(HttpMethod::Get, |b| b);
        assert_eq!(statuses(&doc), ["200", "401", "403", "405", "500", "503"]);
    }

    #[test]
    fn a_public_operation_gets_no_401_or_403() {
        let doc = one(HttpMethod::Get, |b| {
            b.security(SecurityRequirement::default())
        });
        assert_eq!(statuses(&doc), ["200", "405", "500", "503"]);
    }

    #[test]
    fn a_body_brings_400_413_415_and_422() {
        let doc = one(HttpMethod::Post, |b| {
            b.request_body(Some(RequestBodyBuilder::new().build()))
        });
        let s = statuses(&doc);
        for status in ["400", "413", "415", "422"] {
            assert!(
                s.contains(&status.to_owned()),
                "{status} missing from {s:?}"
            );
        }
        assert!(!s.contains(&"404".to_owned()));
    }

    #[test]
    fn a_path_parameter_brings_404_and_422_but_no_400() {
        let doc = one(HttpMethod::Get, |b| {
            b.parameter(param("id", ParameterIn::Path))
        });
        let s = statuses(&doc);
        assert!(s.contains(&"404".to_owned()) && s.contains(&"422".to_owned()));
        assert!(!s.contains(&"400".to_owned()));
    }

    #[test]
    fn put_and_a_declared_if_match_bring_412() {
        assert!(statuses(&one(HttpMethod::Put, |b| b)).contains(&"412".to_owned()));
        let declared = one(HttpMethod::Post, |b| {
            b.parameter(param("if-match", ParameterIn::Header))
        });
        assert!(statuses(&declared).contains(&"412".to_owned()));
        assert!(!statuses(&one(HttpMethod::Post, |b| b)).contains(&"412".to_owned()));
    }

    #[test]
    fn an_idempotency_key_brings_409_and_a_header_400() {
        let doc = one(HttpMethod::Post, |b| {
            b.parameter(param("Idempotency-Key", ParameterIn::Header))
        });
        let s = statuses(&doc);
        assert!(s.contains(&"409".to_owned()) && s.contains(&"400".to_owned()));
    }

    #[test]
    fn what_the_handler_documents_is_kept() {
        let doc = one(HttpMethod::Get, |b| {
            b.response("503", Response::new("Not ready"))
        });
        let item = doc.paths.paths.values().next().unwrap();
        let ours = &item.get.as_ref().unwrap().responses.responses["503"];
        assert!(matches!(ours, RefOr::T(r) if r.description == "Not ready"));
        // Nothing referred to the shared 503, so it is not added either.
        let components = doc.components.unwrap();
        assert!(!components.responses.contains_key("Unavailable"));
        assert!(components.responses.contains_key("Internal"));
    }

    #[test]
    fn every_added_response_is_a_problem_and_exists_in_the_components() {
        let doc = one(HttpMethod::Put, |b| {
            b.request_body(Some(RequestBodyBuilder::new().build()))
                .parameter(param("id", ParameterIn::Path))
        });
        let json = serde_json::to_value(&doc).unwrap();
        let responses = &json["components"]["responses"];
        for (status, res) in json["paths"]["/things/{id}"]["put"]["responses"]
            .as_object()
            .unwrap()
        {
            let Some(target) = res["$ref"].as_str() else {
                continue;
            };
            let name = target.strip_prefix("#/components/responses/").unwrap();
            let content = &responses[name]["content"];
            assert_eq!(
                content[PROBLEM_JSON]["schema"]["$ref"], "#/components/schemas/Problem",
                "{status}"
            );
        }
        assert_eq!(
            responses["MethodNotAllowed"]["headers"]["Allow"]["schema"]["type"],
            "string"
        );
    }
}
