//! Harness for the cross-service tests: services as separate processes, each with its own
//! database, on free loopback ports; started, killed and restarted like real deployments.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use continuity_shared::testing::TestDatabase;

pub const SERVICES: [&str; 4] = [
    "staffing",
    "training-record",
    "process-change",
    "scheduling",
];
pub const ADMIN_TOKEN: &str = "cross-admin-token";
pub const SERVICE_TOKEN: &str = "cross-service-token";

pub use continuity_tests::free_port;

fn section(service: &str) -> String {
    service.replace('-', "_").to_uppercase()
}

/// The four services' ports and databases, fixed for the life of a test so that a
/// restarted process finds its data and its peers again.
pub struct Suite {
    pub ports: HashMap<&'static str, u16>,
    pub databases: HashMap<&'static str, TestDatabase>,
    pub data_dir: PathBuf,
    _dir: TestDatabase,
}

impl Suite {
    pub fn new() -> Self {
        let dir = TestDatabase::new();
        Self {
            ports: SERVICES.iter().map(|s| (*s, free_port())).collect(),
            databases: SERVICES.iter().map(|s| (*s, TestDatabase::new())).collect(),
            data_dir: dir.dir(),
            _dir: dir,
        }
    }

    /// Settings every process of the suite shares: where each service listens, where its
    /// database is, and the credentials.
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = vec![
            (
                "CONTINUITY_DATA_DIR".into(),
                self.data_dir.display().to_string(),
            ),
            ("CONTINUITY_ADMIN_TOKEN".into(), ADMIN_TOKEN.into()),
            ("CONTINUITY_SERVICE_TOKEN".into(), SERVICE_TOKEN.into()),
            ("CONTINUITY_HTTP__WORKERS".into(), "1".into()),
            ("CONTINUITY_LOG__LEVEL".into(), "warn".into()),
            // Quick retries keep the tests short; the policy itself is unit-tested.
            ("CONTINUITY_EVENTS__BASE_DELAY_MS".into(), "100".into()),
            ("CONTINUITY_EVENTS__MAX_DELAY_MS".into(), "3000".into()),
            ("CONTINUITY_EVENTS__LEASE_SECONDS".into(), "6".into()),
            (
                "CONTINUITY_EVENTS__ALLOW_PRIVATE_WEBHOOK_TARGETS".into(),
                "true".into(),
            ),
            (
                "CONTINUITY_DATABASE__SQLITE_SYNCHRONOUS".into(),
                "full".into(),
            ),
            // Each test builds the roster it needs; the key departments a new installation
            // starts with are tested where they matter (`handovers`).
            (
                "CONTINUITY_STAFFING__SEED_KEY_DEPARTMENTS".into(),
                "false".into(),
            ),
        ];
        for s in SERVICES {
            env.push((
                format!("CONTINUITY_{}__PORT", section(s)),
                self.ports[s].to_string(),
            ));
            env.push((
                format!("CONTINUITY_{}__DATABASE_URL", section(s)),
                self.databases[s].url.clone(),
            ));
        }
        env
    }

    /// Gives `service` a new, empty database, as after losing its own.
    pub fn replace_database(&mut self, service: &'static str) {
        self.databases.insert(service, TestDatabase::new());
    }

    pub fn url(&self, service: &str, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.ports[service])
    }

    /// Starts `service` (or `all`) as its own process and waits until it is ready.
    pub async fn start(&self, service: &str) -> Node {
        self.start_with(service, &[]).await
    }

    /// Like [`Suite::start`], with settings changed (a second replica on another port).
    pub async fn start_with(&self, service: &str, extra: &[(&str, &str)]) -> Node {
        let mut env = self.env();
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let node = Node::spawn(service, &env, &self.data_dir, None);
        let port_key = format!("CONTINUITY_{}__PORT", section(service));
        if let Some((_, port)) = extra.iter().find(|(k, _)| *k == port_key) {
            wait_ready(
                &format!("http://127.0.0.1:{port}/health/ready"),
                Duration::from_secs(60),
            )
            .await;
            return node;
        }
        let names: Vec<&str> = if service == "all" {
            SERVICES.to_vec()
        } else {
            vec![service]
        };
        for name in names {
            wait_ready(&self.url(name, "/health/ready"), Duration::from_secs(60)).await;
        }
        node
    }
}

impl Default for Suite {
    fn default() -> Self {
        Self::new()
    }
}

/// A running service process.
pub struct Node {
    pub child: Child,
}

impl Node {
    /// Starts `service` in `dir` with exactly `env`; its standard output and error go to
    /// the file `output` when given (for tests of what a process prints), else nowhere and
    /// to the test's own standard error.
    pub fn spawn(
        service: &str,
        env: &[(String, String)],
        dir: &Path,
        output: Option<&Path>,
    ) -> Node {
        let (stdout, stderr) = match output {
            Some(path) => {
                let file = std::fs::File::create(path).expect("output file");
                let copy = file.try_clone().expect("output file");
                (Stdio::from(file), Stdio::from(copy))
            }
            None => (Stdio::null(), Stdio::inherit()),
        };
        let child = Command::new(env!("CARGO_BIN_EXE_continuity-node"))
            .arg(service)
            .envs(env.iter().cloned())
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .expect("start continuity-node");
        Node { child }
    }

    /// SIGKILL: the process gets no chance to finish anything.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits for a clean exit.
    pub fn terminate(mut self, within: Duration) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "process did not stop within {within:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Suite {
    pub fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap()
    }

    /// GET as admin, as JSON.
    pub async fn get(&self, service: &str, path: &str) -> serde_json::Value {
        let res = Self::client()
            .get(self.url(service, path))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert!(
            res.status().is_success(),
            "GET {service}{path}: {}",
            res.status()
        );
        res.json().await.unwrap()
    }

    /// Every item of a paginated list.
    pub async fn all(&self, service: &str, path: &str) -> Vec<serde_json::Value> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let sep = if path.contains('?') { '&' } else { '?' };
            let page = match &cursor {
                Some(c) => {
                    self.get(service, &format!("{path}{sep}limit=500&cursor={c}"))
                        .await
                }
                None => self.get(service, &format!("{path}{sep}limit=500")).await,
            };
            items.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return items,
            }
        }
    }

    /// PUT JSON as admin; the status, or None when no answer came.
    pub async fn put(&self, service: &str, path: &str, body: serde_json::Value) -> Option<u16> {
        Self::client()
            .put(self.url(service, path))
            .bearer_auth(ADMIN_TOKEN)
            .json(&body)
            .send()
            .await
            .ok()
            .map(|r| r.status().as_u16())
    }

    /// Staffing's employees as (id, name, department, status, last working day).
    pub async fn staffing_roster(&self) -> Vec<(String, String, String, String, String)> {
        self.all("staffing", "/v1/employees")
            .await
            .iter()
            .map(roster_key)
            .collect()
    }

    /// A subscriber's copy of the employees, in the same shape.
    pub async fn copy_of_roster(
        &self,
        service: &str,
    ) -> Vec<(String, String, String, String, String)> {
        self.all(service, "/v1/roster/employees")
            .await
            .iter()
            .map(roster_key)
            .collect()
    }

    /// Staffing's deliveries to `subscriber`: (pending, delivered, dead).
    pub async fn outbox(&self, producer: &str, subscriber: &str) -> (i64, i64, i64) {
        let stats = self.get(producer, "/v1/admin/outbox/stats").await;
        stats
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["subscriber"] == subscriber)
            .map(|s| {
                (
                    s["pending"].as_i64().unwrap(),
                    s["delivered"].as_i64().unwrap(),
                    s["dead"].as_i64().unwrap(),
                )
            })
            .unwrap_or((0, 0, 0))
    }

    /// Events `service` received from `source`: (received, applied).
    pub async fn inbox(&self, service: &str, source: &str) -> (i64, i64) {
        let stats = self.get(service, "/v1/admin/inbox/stats").await;
        stats
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["source"] == source)
            .map(|s| {
                (
                    s["received"].as_i64().unwrap(),
                    s["applied"].as_i64().unwrap(),
                )
            })
            .unwrap_or((0, 0))
    }
}

fn roster_key(e: &serde_json::Value) -> (String, String, String, String, String) {
    let s = |k: &str| e[k].as_str().unwrap_or("").to_owned();
    (
        s("employee_id"),
        s("name"),
        s("department_code"),
        s("status"),
        s("last_working_day"),
    )
}

/// Polls `check` until it holds; false if it never did within `within`.
pub async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Polls a readiness URL until it answers 200.
pub async fn wait_ready(url: &str, within: Duration) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + within;
    loop {
        if let Ok(res) = client.get(url).send().await
            && res.status() == 200
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{url} not ready within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A stand-in HTTP service on `port` (a subscriber, a CRM receiver) serving one route.
/// Stops a fake service at the end of a test, without waiting for its connections to
/// finish, and never for long: one CI run hung for minutes in a graceful stop after every
/// assertion had passed.
pub async fn stop_fake(handle: actix_web::dev::ServerHandle) {
    let _ = tokio::time::timeout(Duration::from_secs(10), handle.stop(false)).await;
}

pub fn fake_service(
    port: u16,
    path: &'static str,
    route: impl Fn() -> actix_web::Route + Send + Clone + 'static,
) -> actix_web::dev::ServerHandle {
    let server = actix_web::HttpServer::new(move || actix_web::App::new().route(path, route()))
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", port))
        .unwrap()
        .run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    handle
}
