//! The four services' OpenAPI documents, built in process (no server needed): every
//! operation documents the errors it can answer, as problems; the bearer scheme is declared
//! and applied to all but the public operations; and each document is kept as a snapshot
//! (`tests/snapshots/`), so that every change to the contract shows in review. Run with
//! `UPDATE_OPENAPI_SNAPSHOTS=1` to rewrite the snapshots after a deliberate change.

use std::path::PathBuf;

use continuity_shared::service::ServiceDef;
use serde_json::{Value, json};

const UPDATE: &str = "UPDATE_OPENAPI_SNAPSHOTS";
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
/// The operations that take no token: health, metrics and the documentation.
const PUBLIC: [&str; 5] = [
    "get /health/live",
    "get /health/ready",
    "get /metrics",
    "get /openapi.json",
    "get /docs",
];

/// Operations that take no token because a signature authenticates them instead (the
/// contract's HR webhook, training-record's signed playback URL): they must document the
/// 401 a bad signature (or a missing token) gets.
const SIGNED: [(&str, &str); 4] = [
    ("staffing", "post /v1/hr/events"),
    ("staffing", "post /v1/hr/sources/{source}/events"),
    ("staffing", "get /v1/hr/sources/{source}/events"),
    // A signed playback URL, or a bearer token.
    ("training-record", "get /v1/materials/{material_id}/content"),
];

fn services() -> [&'static ServiceDef; 4] {
    [
        &staffing::SERVICE,
        &training_record::SERVICE,
        &process_change::SERVICE,
        &scheduling::SERVICE,
    ]
}

fn document(def: &ServiceDef) -> Value {
    serde_json::to_value(def.openapi()).unwrap()
}

/// Every operation of a document, named `method path`.
fn operations(doc: &Value) -> Vec<(String, &Value)> {
    let paths = doc["paths"].as_object().unwrap();
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter_map(move |m| item.get(*m).map(|op| (format!("{m} {path}"), op)))
        })
        .collect()
}

/// `v`, or what its `$ref` points at.
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v["$ref"].as_str() {
        Some(r) => doc.pointer(r.trim_start_matches('#')).unwrap(),
        None => v,
    }
}

/// `security: [{}]`: the operation opts out of the document's bearer requirement.
fn is_public(op: &Value) -> bool {
    op["security"]
        .as_array()
        .is_some_and(|reqs| reqs.contains(&json!({})))
}

#[test]
fn every_operation_documents_the_errors_the_platform_answers() {
    for def in services() {
        let doc = document(def);
        for (name, op) in operations(&doc) {
            let has = |status: &str| op["responses"].get(status).is_some();
            let takes_input = op.get("parameters").is_some() || op.get("requestBody").is_some();
            let mut expected = vec!["405", "500", "503"];
            if !is_public(op) {
                expected.extend(["401", "403"]);
            }
            if takes_input {
                expected.push("422");
            }
            if op.get("requestBody").is_some() {
                expected.extend(["400", "413", "415"]);
            }
            if name.contains('{') {
                expected.push("404");
            }
            if name.starts_with("put ") || name.starts_with("patch ") {
                expected.push("412");
            }
            let missing: Vec<_> = expected.into_iter().filter(|s| !has(s)).collect();
            assert!(missing.is_empty(), "{}: {name} lacks {missing:?}", def.name);
        }
    }
}

#[test]
fn every_error_response_is_a_problem() {
    for def in services() {
        let doc = document(def);
        for (name, op) in operations(&doc) {
            for (status, res) in op["responses"].as_object().unwrap() {
                if status.parse::<u16>().map_or(true, |s| s < 400) {
                    continue;
                }
                let content = resolve(&doc, res)["content"].as_object();
                let types: Vec<_> = content.into_iter().flat_map(|c| c.keys()).collect();
                assert_eq!(
                    types,
                    ["application/problem+json"],
                    "{}: {name} {status}",
                    def.name
                );
                let schema = &content.unwrap()["application/problem+json"]["schema"];
                assert_eq!(
                    schema["$ref"], "#/components/schemas/Problem",
                    "{}: {name} {status}",
                    def.name
                );
            }
        }
    }
}

#[test]
fn the_bearer_scheme_is_declared_and_required_by_all_but_the_public_operations() {
    for def in services() {
        let doc = document(def);
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"],
            json!({"type": "http", "scheme": "bearer"}),
            "{}",
            def.name
        );
        assert_eq!(doc["security"], json!([{"bearer": []}]), "{}", def.name);
        let public: Vec<_> = operations(&doc)
            .into_iter()
            .filter(|(_, op)| is_public(op))
            .map(|(name, _)| name)
            .collect();
        let mut expected = PUBLIC.map(String::from).to_vec();
        for (service, op) in SIGNED.iter().filter(|(s, _)| *s == def.name) {
            let (method, path) = op.split_once(' ').unwrap();
            let documented = &doc["paths"][path][method]["responses"]["401"];
            assert!(documented.is_object(), "{service}: {op} lacks its 401");
            expected.push((*op).to_owned());
        }
        expected.sort();
        let mut public = public;
        public.sort();
        assert_eq!(public, expected, "{}", def.name);
    }
}

#[test]
fn the_document_is_the_same_every_time_it_is_built() {
    for def in services() {
        assert_eq!(
            def.openapi().to_pretty_json().unwrap(),
            def.openapi().to_pretty_json().unwrap(),
            "{}",
            def.name
        );
    }
}

fn snapshot_path(def: &ServiceDef) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("snapshots")
        .join(format!("{}.openapi.json", def.name))
}

/// Where two texts first differ: a few common lines, then each side's next lines.
fn first_difference(stored: &str, built: &str) -> String {
    let (old, new): (Vec<_>, Vec<_>) = (stored.lines().collect(), built.lines().collect());
    let at = old
        .iter()
        .zip(&new)
        .position(|(a, b)| a != b)
        .unwrap_or(old.len().min(new.len()));
    let mut out = format!("first difference at line {} (- stored, + built):\n", at + 1);
    for line in &old[at.saturating_sub(3)..at] {
        out.push_str(&format!("  {line}\n"));
    }
    for (sign, lines) in [("-", &old), ("+", &new)] {
        for line in lines.iter().skip(at).take(3) {
            out.push_str(&format!("{sign} {line}\n"));
        }
    }
    out
}

#[test]
fn every_document_matches_its_snapshot() {
    let update = std::env::var_os(UPDATE).is_some_and(|v| !v.is_empty() && v != "0");
    let mut stale = Vec::new();
    for def in services() {
        let built = def.openapi().to_pretty_json().unwrap() + "\n";
        let path = snapshot_path(def);
        let stored = std::fs::read_to_string(&path).ok();
        if stored.as_deref() == Some(built.as_str()) {
            continue;
        }
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &built).unwrap();
            eprintln!("rewrote {}", path.display());
        } else if let Some(stored) = stored {
            let diff = first_difference(&stored, &built);
            stale.push(format!("{} differs from the code:\n{diff}", path.display()));
        } else {
            stale.push(format!("{} is missing.", path.display()));
        }
    }
    assert!(
        stale.is_empty(),
        "{}\nIf the change to the contract is intended, rewrite the snapshots with\n  \
         {UPDATE}=1 cargo test -p continuity-tests --test cross openapi\nand review them.",
        stale.join("\n")
    );
}
