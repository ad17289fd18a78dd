//! The whole suite as separate processes: start-up, documents, shutdown.

use std::time::Duration;

use crate::harness::{ADMIN_TOKEN, SERVICES, Suite, wait_ready};

#[tokio::test]
async fn all_four_services_start_in_one_process_and_stop_cleanly_on_sigterm() {
    let suite = Suite::new();
    let node = suite.start("all").await;
    let client = reqwest::Client::new();
    for service in SERVICES {
        let doc: serde_json::Value = client
            .get(suite.url(service, "/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(doc["openapi"], "3.1.0", "{service}");
        assert!(
            doc["paths"]["/health/ready"]["get"].is_object(),
            "{service}"
        );
        let docs = client
            .get(suite.url(service, "/docs/"))
            .send()
            .await
            .unwrap();
        assert_eq!(docs.status(), 200, "{service}");
    }
    let status = node.terminate(Duration::from_secs(20));
    assert!(status.success(), "clean exit, got {status:?}");
    let refused = client
        .get(suite.url("staffing", "/health/live"))
        .send()
        .await;
    assert!(refused.is_err(), "nothing listens after shutdown");
}

#[tokio::test]
async fn each_service_runs_alone_as_its_own_process() {
    let suite = Suite::new();
    for service in SERVICES {
        let node = suite.start(service).await;
        let res = reqwest::Client::new()
            .get(suite.url(service, "/metrics"))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains(&format!("service=\"{service}\""))
        );
        node.kill();
    }
}

#[tokio::test]
async fn a_first_start_without_credentials_generates_owner_only_ones() {
    let suite = Suite::new();
    let env: Vec<(String, String)> = suite
        .env()
        .into_iter()
        .filter(|(k, _)| k != "CONTINUITY_ADMIN_TOKEN" && k != "CONTINUITY_SERVICE_TOKEN")
        .collect();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_continuity-node"))
        .arg("staffing")
        .envs(env)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_ready(
        &suite.url("staffing", "/health/ready"),
        Duration::from_secs(60),
    )
    .await;
    let path = suite.data_dir.join("credentials.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let admin = text
        .lines()
        .find(|l| l.starts_with("admin_token"))
        .unwrap()
        .split('"')
        .nth(1)
        .unwrap()
        .to_owned();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let res = reqwest::Client::new()
        .get(suite.url("staffing", "/v1/departments"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the generated admin token works");
    child.kill().unwrap();
    child.wait().unwrap();
}
