//! The service's memory while a large recording streams through it: the service runs as
//! its own process (the `training-record` binary), so its peak resident set (`VmHWM`) is
//! its own and not the test runner's.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use continuity_shared::testing::TestDatabase;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{P1, session_body};

const ADMIN: &str = "memory-test-admin-token";
const SERVICE: &str = "memory-test-service-token";
const MIB: usize = 1 << 20;

struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Service {
    /// A `/proc/<pid>/status` figure, in KiB.
    fn status_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.0.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with(field)).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }
}

#[actix_web::test]
async fn a_512_mib_upload_streams_through_the_service_in_less_than_64_mib() {
    let db = TestDatabase::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let service = Service(
        Command::new(env!("CARGO_BIN_EXE_training-record"))
            .env("CONTINUITY_DATA_DIR", db.dir())
            .env("CONTINUITY_TRAINING_RECORD__PORT", port.to_string())
            .env("CONTINUITY_TRAINING_RECORD__DATABASE_URL", &db.url)
            .env("CONTINUITY_ADMIN_TOKEN", ADMIN)
            .env("CONTINUITY_SERVICE_TOKEN", SERVICE)
            .env("CONTINUITY_HTTP__WORKERS", "2")
            .env("CONTINUITY_LOG__LEVEL", "warn")
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut ready = false;
    for _ in 0..600 {
        let res = client.get(format!("{base}/health/ready")).send().await;
        if res.is_ok_and(|r| r.status() == 200) {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the service did not start");
    let event = json!([{"specversion": "1.0", "id": "p1", "source": "staffing",
        "type": "project.upserted", "time": "2026-11-28T01:00:00Z",
        "data": {"project_id": P1, "name": "CRM", "status": "in_progress", "planned_start": null,
                 "planned_go_live": "2027-06-01", "stabilization_months": 3}}]);
    let res = client
        .post(format!("{base}/v1/events"))
        .bearer_auth(SERVICE)
        .header("content-type", "application/cloudevents-batch+json")
        .body(event.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = client
        .post(format!("{base}/v1/projects/{P1}/training-sessions"))
        .bearer_auth(ADMIN)
        .json(&session_body("A", "2026-11-02", &["sales"]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let session: Value = res.json().await.unwrap();
    let session = session["session_id"].as_str().unwrap();
    let before = service.status_kib("VmRSS:");

    let total = 512 * MIB;
    let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let head = format!(
        "POST /v1/training-sessions/{session}/materials?filename=big.webm HTTP/1.1\r\n\
         Host: 127.0.0.1\r\nAuthorization: Bearer {ADMIN}\r\nContent-Type: video/webm\r\n\
         Content-Length: {total}\r\nConnection: close\r\n\r\n"
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let block: Vec<u8> = (0..MIB).map(|i| (i % 251) as u8).collect();
    for _ in 0..total / MIB {
        tcp.write_all(&block).await.unwrap();
    }
    let mut answer = Vec::new();
    tcp.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let body: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(body["size_bytes"].as_u64(), Some(total as u64));

    let peak = service.status_kib("VmHWM:");
    println!(
        "memory: 512 MiB upload; service RSS before {} MiB, peak {} MiB",
        before / 1024,
        peak / 1024
    );
    assert!(peak < 64 * 1024, "peak RSS {peak} KiB");
    assert!(
        peak - before.min(peak) < 16 * 1024,
        "grew from {before} to {peak} KiB"
    );
}
