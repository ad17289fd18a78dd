//! The README's table of who may call which staffing route is the truth: every operation
//! of the OpenAPI document is in it, and every role gets 403 exactly where it says so.

use continuity_shared::auth::Role;
use continuity_shared::testing::{MEMBER_E1, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// The roles a token may hold, as the table names them.
const ROLES: [&str; 7] = [
    "admin",
    "manager",
    "documenter",
    "trainer",
    "member",
    "integration",
    "service",
];

/// `(method, path, roles)` rows of the README's staffing table.
fn readme_table() -> Vec<(String, String, Vec<String>)> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md");
    let start = readme
        .find("### Who may call what in staffing")
        .expect("the README has the staffing access table");
    readme[start..]
        .lines()
        .skip_while(|l| !l.starts_with("| `"))
        .take_while(|l| l.starts_with('|'))
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let route = cells[1].trim_matches('`');
            let (method, path) = route.split_once(' ').expect("`METHOD /path`");
            let roles = cells[2]
                .split(',')
                .map(|r| r.trim().to_owned())
                .filter(|r| !r.is_empty())
                .collect();
            (method.to_owned(), path.to_owned(), roles)
        })
        .collect()
}

/// A request each route accepts in shape, with ids that do not exist.
fn sample(method: &str, path: &str) -> (String, Option<(&'static str, String)>) {
    let uuid = "01939a5c-0000-7000-8000-000000000001";
    let concrete = path
        .replace("{code}", "qa")
        .replace("{employee_id}", "E9")
        .replace("{project_id}", uuid)
        .replace("{handover_id}", uuid)
        .replace("{event_id}", uuid)
        .replace("{id}", uuid);
    let json = |v: Value| Some(("application/json", v.to_string()));
    let body = match (method, path) {
        ("PUT", "/v1/departments/{code}") => json(json!({"name": "QA"})),
        ("PUT", "/v1/employees/{employee_id}") => {
            json(json!({"name": "X", "department_code": "qa", "hire_date": "2020-01-01"}))
        }
        ("POST", "/v1/employees/import") => Some((
            "text/csv",
            "employee_id,name,department_code,hire_date,leave_date\n".to_owned(),
        )),
        ("POST", "/v1/projects") => json(json!({"name": "P"})),
        ("PATCH", "/v1/projects/{project_id}") => json(json!({"name": "P"})),
        ("PUT", "/v1/projects/{project_id}/members/{employee_id}") => {
            json(json!({"role": "member"}))
        }
        ("POST", "/v1/handovers/{handover_id}/successor") => json(json!({"employee_id": "E9"})),
        ("POST", "/v1/events/replay") => json(json!({"subscriber": "scheduling"})),
        ("POST", "/v1/events") => json(json!([])),
        ("POST", "/v1/webhook-subscriptions") => json(
            json!({"url": "https://hooks.example.com/x", "event_types": ["employee.upserted"]}),
        ),
        _ => None,
    };
    (concrete, body)
}

async fn status_as(app: &TestApp, role: &str, method: &str, path: &str) -> u16 {
    let (url, body) = sample(method, path);
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = match role {
        "member" => app
            .client
            .request(method, app.url(&url))
            .bearer_auth(MEMBER_E1),
        _ => {
            let role = match role {
                "admin" => Role::Admin,
                "manager" => Role::Manager,
                "documenter" => Role::Documenter,
                "trainer" => Role::Trainer,
                "integration" => Role::Integration,
                "service" => Role::Service,
                other => panic!("unknown role {other}"),
            };
            app.as_role(role, method, &url)
        }
    };
    if let Some((content_type, body)) = body {
        req = req.header("content-type", content_type).body(body);
    }
    req.send().await.unwrap().status().as_u16()
}

#[actix_web::test]
async fn every_route_is_in_the_readme_table_and_every_role_is_refused_exactly_where_it_says() {
    let app = spawn().await;
    let table = readme_table();
    let (_, doc) = get_json(&app, "/openapi.json").await;
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            if op["tags"][0] != "operations" {
                documented.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    let mut listed: Vec<(String, String)> = table
        .iter()
        .map(|(m, p, _)| (m.clone(), p.clone()))
        .collect();
    documented.sort();
    listed.sort();
    assert_eq!(
        listed, documented,
        "the README table lists every operation, once"
    );

    let mut wrong = Vec::new();
    for (method, path, allowed) in &table {
        if allowed.iter().any(|r| r.starts_with("signed")) {
            continue; // the HR webhook: its signature is its authentication
        }
        for role in ROLES {
            let status = status_as(&app, role, method, path).await;
            let may = allowed.iter().any(|a| a == role);
            if (status == 403) == may || status == 401 {
                wrong.push(format!("{method} {path} as {role}: {status}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
