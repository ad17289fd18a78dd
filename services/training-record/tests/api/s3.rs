//! Materials in an S3-compatible bucket: moto's server mode (`pip install 'moto[server]'`)
//! started by each test on a free loopback port. Without `moto_server` the tests say so
//! and pass, unless `CONTINUITY_REQUIRE_MOTO=1` (CI sets it).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use continuity_shared::auth::Role;
use continuity_shared::testing::TestApp;
use reqwest::Method;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::helpers::*;

const BUCKET: &str = "materials";

/// Streams `content` in as a WebM material of `session`; the created material.
async fn upload_webm(app: &TestApp, session: &Value, content: Vec<u8>) -> Value {
    let res = app
        .as_role(
            Role::Trainer,
            Method::POST,
            &format!(
                "/v1/training-sessions/{}/materials?filename=a.webm",
                id_of(session)
            ),
        )
        .header("content-type", "video/webm")
        .body(content)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

/// A moto server, stopped when dropped.
struct Moto {
    child: Child,
    url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    /// The keys of the objects in the bucket.
    async fn keys(&self) -> Vec<String> {
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let xml = client
            .get(format!("{}/{BUCKET}?list-type=2", self.url))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        xml.split("<Key>")
            .skip(1)
            .map(|s| s.split("</Key>").next().unwrap().to_owned())
            .collect()
    }
}

/// A moto server with an empty bucket, or `None` (printed) when moto is not installed.
async fn moto() -> Option<Moto> {
    let installed = Command::new("moto_server")
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        assert!(
            std::env::var("CONTINUITY_REQUIRE_MOTO").as_deref() != Ok("1"),
            "CONTINUITY_REQUIRE_MOTO=1 but moto_server is not installed (pip install 'moto[server]')"
        );
        eprintln!("skipped: moto_server is not installed (pip install 'moto[server]')");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let moto = Moto {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    for _ in 0..200 {
        if let Ok(res) = client.put(format!("{}/{BUCKET}", moto.url)).send().await {
            assert!(res.status().is_success(), "{}", res.status());
            return Some(moto);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("moto_server did not start on port {port}");
}

async fn spawn_on_s3(moto: &Moto) -> TestApp {
    spawn_with(&[
        ("CONTINUITY_TRAINING_RECORD__S3_BUCKET", BUCKET),
        ("CONTINUITY_TRAINING_RECORD__S3_ENDPOINT", moto.url.as_str()),
        ("CONTINUITY_TRAINING_RECORD__S3_REGION", "us-east-1"),
        ("CONTINUITY_TRAINING_RECORD__S3_ACCESS_KEY_ID", "test"),
        ("CONTINUITY_TRAINING_RECORD__S3_SECRET_ACCESS_KEY", "test"),
        ("CONTINUITY_TRAINING_RECORD__S3_ALLOW_HTTP", "true"),
    ])
    .await
}

fn file(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 253) as u8).collect()
}

/// Files left in the local directory (there should be none: the bucket holds them).
fn local_files(app: &TestApp) -> usize {
    let root = app.settings.data_dir.join("training-materials");
    ["", "tmp", "uploads"]
        .iter()
        .map(|d| {
            std::fs::read_dir(root.join(d))
                .unwrap()
                .filter(|e| e.as_ref().unwrap().file_type().unwrap().is_file())
                .count()
        })
        .sum()
}

#[actix_web::test]
async fn on_s3_an_upload_goes_to_the_bucket_is_served_with_ranges_and_validators_and_503_once_gone()
{
    let Some(moto) = moto().await else { return };
    let app = spawn_on_s3(&moto).await;
    let s = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    let content = file(7 << 20); // more than one 5 MiB part
    let m = upload_webm(&app, &s, content.clone()).await;
    let id = m["material_id"].as_str().unwrap();
    assert_eq!(m["sha256"], hex::encode(Sha256::digest(&content)));
    assert_eq!(moto.keys().await, [id]);
    assert_eq!(local_files(&app), 0);

    let path = format!("/v1/materials/{id}/content");
    let get = |range: &str, inm: Option<&str>| {
        let mut req = app
            .as_role(Role::Integration, Method::GET, &path)
            .header("range", range);
        if let Some(v) = inm {
            req = req.header("if-none-match", v);
        }
        req.send()
    };
    let len = content.len();
    for (range, from, to) in [
        ("bytes=0-99", 0, 99),
        ("bytes=5242000-5243999", 5_242_000, 5_243_999),
        ("bytes=-500", len - 500, len - 1),
        ("bytes=7000000-", 7_000_000, len - 1),
    ] {
        let res = get(range, None).await.unwrap();
        assert_eq!(res.status(), 206, "{range}");
        assert_eq!(
            res.headers()["content-range"].to_str().unwrap(),
            format!("bytes {from}-{to}/{len}")
        );
        assert!(
            res.bytes().await.unwrap()[..] == content[from..=to],
            "{range}"
        );
    }
    let res = get(&format!("bytes={len}-"), None).await.unwrap();
    assert_eq!(problem(res).await.0, 416);
    let etag = format!("\"sha256-{}\"", m["sha256"].as_str().unwrap());
    assert_eq!(get("bytes=0-9", Some(&etag)).await.unwrap().status(), 304);
    let whole = app
        .as_role(Role::Integration, Method::GET, &path)
        .send()
        .await
        .unwrap();
    assert_eq!(whole.status(), 200);
    assert!(whole.bytes().await.unwrap()[..] == content[..]);

    // The object removed behind the service's back: a problem, not a 500.
    let keys = moto.keys().await;
    assert_eq!(keys.len(), 1, "{keys:?}");
    let gone = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .delete(format!("{}/{BUCKET}/{}", moto.url, keys[0]))
        .send()
        .await
        .unwrap();
    assert!(gone.status().is_success(), "{}", gone.status());
    let res = app
        .as_role(Role::Integration, Method::GET, &path)
        .header("range", "bytes=0-99")
        .send()
        .await
        .unwrap();
    let (status, body) = problem(res).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (503, Some("unavailable")),
        "{body}"
    );
}

#[actix_web::test]
async fn on_s3_a_resumable_upload_ends_in_the_bucket_and_a_broken_single_upload_leaves_nothing() {
    let Some(moto) = moto().await else { return };
    let app = spawn_on_s3(&moto).await;
    let s = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    let session = id_of(&s);

    // A single upload cut off halfway: no object, no material.
    let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", app.port))
        .await
        .unwrap();
    let head = format!(
        "POST /v1/training-sessions/{session}/materials?filename=a.webm HTTP/1.1\r\n\
         Host: 127.0.0.1\r\nAuthorization: Bearer test-trainer\r\n\
         Content-Type: video/webm\r\nContent-Length: 8000000\r\n\r\n"
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    tcp.write_all(&file(6 << 20)).await.unwrap();
    tcp.shutdown().await.unwrap();
    drop(tcp);

    let content = file(1_500_000);
    let res = app
        .as_role(
            Role::Trainer,
            Method::POST,
            &format!("/v1/training-sessions/{session}/uploads"),
        )
        .header("tus-resumable", "1.0.0")
        .header("upload-length", content.len().to_string())
        .header(
            "upload-metadata",
            format!(
                "filename {}",
                base64::engine::general_purpose::STANDARD.encode("slides.pdf")
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let upload = res.headers()["location"].to_str().unwrap().to_owned();
    for (from, to) in [(0, 1_000_000), (1_000_000, content.len())] {
        let res = app
            .as_role(Role::Trainer, Method::PATCH, &upload)
            .header("tus-resumable", "1.0.0")
            .header("content-type", "application/offset+octet-stream")
            .header("upload-offset", from.to_string())
            .body(content[from..to].to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 204);
    }
    let id = upload.rsplit('/').next().unwrap();
    let (_, m) = get_json(&app, &format!("/v1/materials/{id}")).await;
    assert_eq!(m["sha256"], hex::encode(Sha256::digest(&content)));
    let served = app
        .as_role(
            Role::Integration,
            Method::GET,
            &format!("/v1/materials/{id}/content"),
        )
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(served[..] == content[..]);
    assert_eq!(moto.keys().await, [id]);
    assert_eq!(local_files(&app), 0);
    let (_, trail) = get_json(&app, "/v1/audit?entity=material").await;
    assert_eq!(trail["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn on_s3_a_webm_streamed_in_gets_its_duration_from_its_metadata() {
    let Some(moto) = moto().await else { return };
    let app = spawn_on_s3(&moto).await;
    let s = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    let m = upload_webm(
        &app,
        &s,
        include_bytes!("../fixtures/testsrc-7s.webm").to_vec(),
    )
    .await;
    assert_eq!(m["duration_seconds"], 7, "{m}");
    assert_eq!(moto.keys().await.len(), 1);
}

#[actix_web::test]
async fn a_bucket_that_cannot_be_reached_is_503_problem_in_seconds_not_500() {
    // Nothing listens on the port of a listener just closed: every call is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let app = spawn_with(&[
        ("CONTINUITY_TRAINING_RECORD__S3_BUCKET", BUCKET),
        ("CONTINUITY_TRAINING_RECORD__S3_ENDPOINT", endpoint.as_str()),
        ("CONTINUITY_TRAINING_RECORD__S3_REGION", "us-east-1"),
        ("CONTINUITY_TRAINING_RECORD__S3_ACCESS_KEY_ID", "test"),
        ("CONTINUITY_TRAINING_RECORD__S3_SECRET_ACCESS_KEY", "test"),
        ("CONTINUITY_TRAINING_RECORD__S3_ALLOW_HTTP", "true"),
    ])
    .await;
    let session = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    let started = std::time::Instant::now();
    let res = app
        .as_role(
            Role::Trainer,
            Method::POST,
            &format!(
                "/v1/training-sessions/{}/materials?filename=a.webm",
                id_of(&session)
            ),
        )
        .header("content-type", "video/webm")
        .body(file(300_000))
        .send()
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    let (status, body) = problem(res).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("storage"),
        "{body}"
    );
    assert_eq!(local_files(&app), 0, "nothing is kept on the side");
}
