//! Harness for the cross-service tests: services as separate processes, each with its own
//! database, on free loopback ports; started, killed and restarted like real deployments.

use std::collections::HashMap;
use std::net::TcpListener;
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

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

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

    pub fn url(&self, service: &str, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.ports[service])
    }

    /// Starts `service` (or `all`) as its own process and waits until it is ready.
    pub async fn start(&self, service: &str) -> Node {
        let node = Node::spawn(service, &self.env(), &self.data_dir);
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
    fn spawn(service: &str, env: &[(String, String)], dir: &Path) -> Node {
        let child = Command::new(env!("CARGO_BIN_EXE_continuity-node"))
            .arg(service)
            .envs(env.iter().cloned())
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
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
