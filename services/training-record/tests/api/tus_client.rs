//! A real tus client, `tuspy` from PyPI (`pip install tuspy`), uploads a recording in
//! parts, goes away, and a new client resumes from the offset the server reports. Without
//! the package the test says so and passes, unless `CONTINUITY_REQUIRE_TUSPY=1` (CI sets it).

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::helpers::*;

fn tuspy_installed() -> bool {
    Command::new("python3")
        .args(["-c", "import tusclient"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[actix_web::test]
async fn a_tuspy_client_that_goes_away_is_resumed_by_another_from_the_servers_offset() {
    if !tuspy_installed() {
        assert!(
            std::env::var("CONTINUITY_REQUIRE_TUSPY").as_deref() != Ok("1"),
            "CONTINUITY_REQUIRE_TUSPY=1 but tuspy is not installed (pip install tuspy)"
        );
        eprintln!("skipped: tuspy is not installed (pip install tuspy)");
        return;
    }
    let app = spawn().await;
    let s = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    let session = id_of(&s);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("recording.mp4");
    let content: Vec<u8> = (0..750_000u32).map(|i| (i * 7 % 253) as u8).collect();
    std::fs::write(&path, &content).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tus_client.py");
    let out = dir.path().join("out.json");
    // Spawned, not waited on: the service answers it from this test's runtime.
    let mut child = Command::new("python3")
        .args([
            script,
            &format!("http://127.0.0.1:{}", app.port),
            "test-trainer",
            &session,
            &path.to_string_lossy(),
            "3",
        ])
        .stdout(std::fs::File::create(&out).unwrap())
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "the tus client failed");
    let report: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(report["resumed_from"], 300_000, "{report}");
    assert_eq!(report["offset"], 750_000);
    let url = report["url"].as_str().unwrap();
    let id = url.rsplit('/').next().unwrap();
    let (status, m) = get_json(&app, &format!("/v1/materials/{id}")).await;
    assert_eq!(status, 200, "{m}");
    assert_eq!(m["sha256"], hex::encode(Sha256::digest(&content)));
    assert_eq!(
        (m["kind"].as_str(), m["duration_seconds"].as_u64()),
        (Some("video"), Some(60))
    );
}
