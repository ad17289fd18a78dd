//! Test support (feature `test-support`): a fresh database per test, a temporary SQLite
//! file by default or a new PostgreSQL database when `CONTINUITY_TEST_POSTGRES_URL` names
//! a server, and a real service started on a random port.

#![allow(clippy::expect_used)] // test support: a failed set-up should stop the test loudly

pub mod tools;

use std::path::PathBuf;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

use crate::auth::{Role, digest};
use crate::clock::Clock;
use crate::server::Application;
use crate::service::ServiceDef;
use crate::settings::{Settings, TokenSpec};

/// The variable that switches database-touching tests to PostgreSQL.
pub const POSTGRES_ENV: &str = "CONTINUITY_TEST_POSTGRES_URL";

/// A database that exists for one test and is removed after it.
pub struct TestDatabase {
    pub url: String,
    dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// A temporary SQLite file, or a fresh PostgreSQL database when
    /// `CONTINUITY_TEST_POSTGRES_URL` names a server.
    pub fn new() -> Self {
        match std::env::var(POSTGRES_ENV).ok().filter(|v| !v.is_empty()) {
            None => Self::sqlite(),
            Some(admin_url) => Self::postgres(&admin_url),
        }
    }

    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        Self {
            url,
            dir,
            postgres: None,
        }
    }

    /// A new database on the server `admin_url` names, dropped with this value.
    pub fn postgres(admin_url: &str) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let name = format!("continuity_test_{}", crate::ids::new_id().simple());
        let mut admin = PgConnection::establish(admin_url).expect("PostgreSQL reachable");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create test database");
        let url = with_database(admin_url, &name);
        Self {
            url,
            dir,
            postgres: Some((admin_url.to_owned(), name)),
        }
    }

    /// A directory that lives as long as the database (data dir, uploads).
    pub fn dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}

impl Default for TestDatabase {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = &self.postgres
            && let Ok(mut admin) = PgConnection::establish(admin_url)
        {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// `postgres://u@h:5432/db?x` with its database replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

/// A service running for one test on a random port.
pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub settings: Settings,
    /// The service's clock: tests move time with it.
    pub clock: Clock,
    pub client: reqwest::Client,
    pub db: crate::db::Db,
    _database: TestDatabase,
}

/// Plain-text test tokens: one per role, plus members bound to employees E1 and E2.
pub fn token_for(role: Role) -> String {
    format!("test-{role:?}").to_lowercase()
}

pub const MEMBER_E1: &str = "test-member-e1";

/// Two integration tokens without a name: told apart by their digests alone.
pub const UNNAMED_INTEGRATION: [&str; 2] = ["test-unnamed-crm-a", "test-unnamed-crm-b"];

impl TestApp {
    pub async fn spawn(def: &ServiceDef) -> TestApp {
        Self::spawn_with(def, &[]).await
    }

    /// Like [`TestApp::spawn`], with extra `CONTINUITY_*` variables.
    pub async fn spawn_with(def: &ServiceDef, env: &[(&str, &str)]) -> TestApp {
        let clock = Clock::system(crate::clock::DEFAULT_TIME_ZONE);
        Self::spawn_with_clock(def, env, clock).await
    }

    /// Like [`TestApp::spawn_with`], on a clock the test holds (and may move).
    pub async fn spawn_with_clock(def: &ServiceDef, env: &[(&str, &str)], clock: Clock) -> TestApp {
        Self::spawn_on(def, env, clock, TestDatabase::new()).await
    }

    /// Like [`TestApp::spawn_with_clock`], on a database the test made (to share it between
    /// two replicas, or to restart a service on its data).
    pub async fn spawn_on(
        def: &ServiceDef,
        env: &[(&str, &str)],
        clock: Clock,
        database: TestDatabase,
    ) -> TestApp {
        let section = def.name.replace('-', "_").to_uppercase();
        let mut vars: Vec<(String, String)> = vec![
            (
                "CONTINUITY_DATA_DIR".into(),
                database.dir().display().to_string(),
            ),
            (format!("CONTINUITY_{section}__PORT"), "0".into()),
            (
                format!("CONTINUITY_{section}__DATABASE_URL"),
                database.url.clone(),
            ),
            ("CONTINUITY_ADMIN_TOKEN".into(), token_for(Role::Admin)),
            ("CONTINUITY_SERVICE_TOKEN".into(), token_for(Role::Service)),
            ("CONTINUITY_HTTP__WORKERS".into(), "2".into()),
            (
                "CONTINUITY_DATABASE__SQLITE_SYNCHRONOUS".into(),
                "normal".into(),
            ),
        ];
        vars.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let mut settings =
            Settings::load_from(&def.default_section(), None, vars).expect("test settings");
        settings.tokens.extend(test_tokens());
        let app = Application::build_with_clock(def, &settings, clock.clone())
            .await
            .expect("service starts");
        let name = app.name().clone();
        settings.set_port(&name, app.port());
        let port = app.port();
        let db = app.db().clone();
        tokio::spawn(app.run());
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            port,
            settings,
            clock,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                // Tests talk to loopback: a proxy from the developer's environment is not
                // in the way (and some tests set one on purpose).
                .no_proxy()
                // Below the server's 5 s keep-alive: a connection idle that long (a test
                // waiting on a browser) could be reused just as the server closes it, and
                // the request fail with an incomplete message.
                .pool_idle_timeout(std::time::Duration::from_secs(2))
                .build()
                .expect("HTTP client"),
            db,
            _database: database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A request with the token of `role`.
    pub fn as_role(
        &self,
        role: Role,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token_for(role))
    }
}

/// Tokens for the roles the settings do not cover, and a member bound to employee E1.
fn test_tokens() -> Vec<TokenSpec> {
    let spec = |token: &str, roles: Vec<Role>, employee_id: Option<&str>| TokenSpec {
        sha256: hex::encode(digest(token)),
        roles,
        employee_id: employee_id.and_then(|e| continuity_contract::EmployeeId::parse(e).ok()),
        name: token.to_owned(),
    };
    let mut specs: Vec<TokenSpec> = [
        Role::Manager,
        Role::Documenter,
        Role::Trainer,
        Role::Integration,
    ]
    .into_iter()
    .map(|role| spec(&token_for(role), vec![role], None))
    .collect();
    specs.push(spec(MEMBER_E1, vec![Role::Member], Some("E1")));
    for token in UNNAMED_INTEGRATION {
        specs.push(TokenSpec {
            name: String::new(),
            ..spec(token, vec![Role::Integration], None)
        });
    }
    specs
}

/// Every `$ref` of an OpenAPI document that points at nothing.
pub fn dangling_refs(doc: &serde_json::Value) -> Vec<String> {
    fn walk(v: &serde_json::Value, doc: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::String(r)) = map.get("$ref") {
                    let pointer = r.trim_start_matches('#');
                    if doc.pointer(pointer).is_none() {
                        out.push(r.clone());
                    }
                }
                map.values().for_each(|x| walk(x, doc, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|x| walk(x, doc, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(doc, doc, &mut out);
    out
}

/// What every service that keeps a roster copy must do, checked over HTTP: be ready,
/// document the copy, and apply a staffing event to it.
pub async fn assert_keeps_a_roster_copy(def: &ServiceDef) {
    let app = TestApp::spawn(def).await;
    let ready = app
        .client
        .get(app.url("/health/ready"))
        .send()
        .await
        .expect("ready answers");
    assert_eq!(ready.status(), 200);
    let doc: serde_json::Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("document")
        .json()
        .await
        .expect("JSON");
    assert_eq!(doc["info"]["title"], def.title);
    assert!(doc["paths"]["/v1/roster/employees"]["get"].is_object());
    assert!(dangling_refs(&doc).is_empty());

    let event = serde_json::json!({"specversion": "1.0", "id": "e1", "source": "staffing",
        "type": "employee.upserted", "time": "2026-11-28T08:00:00Z", "data": {"employee_id": "E1",
        "name": "Li Lei", "department_code": "quality", "hire_date": null, "status": "active",
        "last_working_day": null}});
    let res = app
        .as_role(Role::Service, reqwest::Method::POST, "/v1/events")
        .header("content-type", "application/cloudevents+json")
        .body(event.to_string())
        .send()
        .await
        .expect("events answer");
    assert_eq!(res.status(), 200);
    let copy: serde_json::Value = app
        .as_role(
            Role::Integration,
            reqwest::Method::GET,
            "/v1/roster/employees",
        )
        .send()
        .await
        .expect("roster answers")
        .json()
        .await
        .expect("JSON");
    assert_eq!(copy["items"][0]["department_code"], "quality");
}
