//! The whole suite as separate processes: start-up, documents, shutdown.

use std::time::Duration;

use crate::harness::{ADMIN_TOKEN, Node, SERVICE_TOKEN, SERVICES, Suite, wait_ready};

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

#[tokio::test]
async fn a_first_start_with_the_admin_token_in_the_environment_prints_no_token_at_all() {
    let suite = Suite::new();
    // The admin token from the environment; the service token and webhook secret generated.
    let env: Vec<(String, String)> = suite
        .env()
        .into_iter()
        .filter(|(k, _)| k != "CONTINUITY_SERVICE_TOKEN")
        .collect();
    let output = suite.data_dir.join("node.out");
    let node = Node::spawn("staffing", &env, &suite.data_dir, Some(&output));
    wait_ready(
        &suite.url("staffing", "/health/ready"),
        Duration::from_secs(60),
    )
    .await;
    assert!(node.terminate(Duration::from_secs(20)).success());
    let printed = std::fs::read_to_string(&output).unwrap();
    let stored = std::fs::read_to_string(suite.data_dir.join("credentials.toml")).unwrap();
    assert!(
        printed.contains("admin token:       from CONTINUITY_ADMIN_TOKEN"),
        "{printed}"
    );
    assert!(printed.contains("credentials.toml"), "{printed}");
    // Output that is not a terminal (this one, a container's log) never carries a secret.
    let generated = stored.lines().filter_map(|l| l.split('"').nth(1));
    for secret in generated.chain([ADMIN_TOKEN, SERVICE_TOKEN]) {
        assert!(!printed.contains(secret), "{secret} printed:\n{printed}");
    }
    for prefix in ["adm_", "svc_", "whsec_"] {
        assert!(!printed.contains(prefix), "{prefix} printed:\n{printed}");
    }
    assert!(
        !stored.contains("admin_token"),
        "a token not in effect is not kept"
    );
}

#[tokio::test]
async fn sigterm_lets_a_request_in_flight_finish_and_commit() {
    let suite = Suite::new();
    let node = suite.start("staffing").await;
    let client = reqwest::Client::new();
    let put = client
        .put(suite.url("staffing", "/v1/departments/sales"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&serde_json::json!({"name": "Sales"}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 201);
    // A large import takes a while; stop the process while it is being served.
    let mut csv = String::from("employee_id,name,department_code,hire_date,leave_date\n");
    for i in 0..10_000 {
        csv.push_str(&format!("G{i:05},Person {i},sales,2020-01-01,\n"));
    }
    // A connection of its own: a request sent on an idle keep-alive connection just as the
    // server closes it is never received, which is no request in flight (a client retries
    // it with its Idempotency-Key).
    let import = reqwest::Client::new()
        .post(suite.url("staffing", "/v1/employees/import"))
        .bearer_auth(ADMIN_TOKEN)
        .header("content-type", "text/csv")
        .body(csv)
        .send();
    let stop_sent = std::sync::Mutex::new(None);
    let stop = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        *stop_sent.lock().unwrap() = Some(std::time::Instant::now());
        // Generous: under a loaded CI machine the import alone can take tens of seconds.
        tokio::task::spawn_blocking(move || node.terminate(Duration::from_secs(90)))
            .await
            .unwrap()
    };
    let answered = async { (import.await, std::time::Instant::now()) };
    let ((answer, answered_at), status) = tokio::join!(answered, stop);
    let stop_sent = stop_sent.lock().unwrap().expect("SIGTERM sent");
    println!(
        "import answered {:?} after SIGTERM",
        answered_at.saturating_duration_since(stop_sent)
    );
    assert!(
        answered_at > stop_sent,
        "the import was not in flight when SIGTERM came"
    );
    let answer = answer.expect("the request in flight is answered");
    assert_eq!(answer.status(), 200);
    let report: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(report["created"], 10_000);
    assert!(status.success(), "clean exit, got {status:?}");

    // What was answered is there after a restart.
    let _again = suite.start("staffing").await;
    let page: serde_json::Value = client
        .get(suite.url("staffing", "/v1/employees?limit=1&department=sales"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"][0]["employee_id"], "G00000");
}
