use std::io::Write;

use continuity_shared::auth::Role;
use continuity_shared::testing::TestApp;
use reqwest::Method;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::helpers::*;

fn file(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

fn storage(app: &TestApp) -> std::path::PathBuf {
    app.settings.data_dir.join("training-materials")
}

/// Files in the store (finished and temporary).
fn stored_files(app: &TestApp) -> usize {
    let count = |d: std::path::PathBuf| {
        std::fs::read_dir(d)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_type().unwrap().is_file())
            .count()
    };
    count(storage(app)) + count(storage(app).join("tmp"))
}

async fn upload(app: &TestApp, session: &str, body: Vec<u8>) -> reqwest::Response {
    app.as_role(
        Role::Trainer,
        Method::POST,
        &format!(
            "/v1/training-sessions/{session}/materials?filename=rec.webm&duration_seconds=600"
        ),
    )
    .header("content-type", "video/webm")
    .body(body)
    .send()
    .await
    .unwrap()
}

async fn materials_in_audit(app: &TestApp) -> usize {
    let (_, trail) = get_json(app, "/v1/audit?entity=material").await;
    trail["items"].as_array().unwrap().len()
}

#[actix_web::test]
async fn an_upload_is_stored_with_its_checksum_and_served_with_ranges_and_validators() {
    let app = spawn().await;
    let s = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    let content = file(1_000_000);
    let res = upload(&app, &id_of(&s), content.clone()).await;
    assert_eq!(res.status(), 201);
    let m: Value = res.json().await.unwrap();
    let sha = hex::encode(Sha256::digest(&content));
    assert_eq!(
        (m["sha256"].as_str(), m["size_bytes"].as_u64()),
        (Some(sha.as_str()), Some(1_000_000))
    );
    assert_eq!(
        (m["kind"].as_str(), m["content_type"].as_str()),
        (Some("video"), Some("video/webm"))
    );
    let path = format!(
        "/v1/materials/{}/content",
        m["material_id"].as_str().unwrap()
    );
    let get = |range: Option<&str>, inm: Option<&str>, if_range: Option<&str>| {
        let mut req = app.as_role(Role::Integration, Method::GET, &path);
        for (k, v) in [
            ("range", range),
            ("if-none-match", inm),
            ("if-range", if_range),
        ] {
            if let Some(v) = v {
                req = req.header(k, v);
            }
        }
        req.send()
    };
    let full = get(None, None, None).await.unwrap();
    assert_eq!(full.status(), 200);
    let etag = full.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(etag, format!("\"sha256-{sha}\""));
    assert_eq!(full.headers()["content-type"], "video/webm");
    assert_eq!(full.headers()["accept-ranges"], "bytes");
    assert!(full.headers().contains_key("last-modified"));
    assert_eq!(full.bytes().await.unwrap().as_ref(), content.as_slice());

    for (range, start, end) in [
        ("bytes=0-99", 0, 99),
        ("bytes=500000-500099", 500_000, 500_099),
        ("bytes=-500", 999_500, 999_999),
        ("bytes=999000-", 999_000, 999_999),
    ] {
        let res = get(Some(range), None, None).await.unwrap();
        assert_eq!(res.status(), 206, "{range}");
        assert_eq!(
            res.headers()["content-range"],
            format!("bytes {start}-{end}/1000000").as_str()
        );
        assert_eq!(
            res.bytes().await.unwrap().as_ref(),
            &content[start..=end],
            "{range}"
        );
    }
    let res = get(Some("bytes=1000000-"), None, None).await.unwrap();
    assert_eq!(res.headers()["content-range"], "bytes */1000000");
    assert_eq!(problem(res).await.0, 416);
    assert_eq!(get(None, Some(&etag), None).await.unwrap().status(), 304);
    assert_eq!(
        get(Some("bytes=0-9"), None, Some("\"stale\""))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        get(Some("bytes=0-9"), None, Some(&etag))
            .await
            .unwrap()
            .status(),
        206
    );
}

#[actix_web::test]
async fn a_too_large_upload_is_413_and_an_interrupted_one_leaves_no_file_and_no_row() {
    let app = spawn_with(&[("CONTINUITY_TRAINING_RECORD__MAX_UPLOAD_BYTES", "100000")]).await;
    let s = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    let res = upload(&app, &id_of(&s), file(100_001)).await;
    assert_eq!(problem(res).await.0, 413);
    // Without a declared length (chunked), the limit is met on the way.
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", app.port)).unwrap();
    let head = format!(
        "POST /v1/training-sessions/{}/materials?filename=a.webm HTTP/1.1\r\nhost: x\r\n\
         authorization: Bearer test-trainer\r\ncontent-type: video/webm\r\n\
         transfer-encoding: chunked\r\n\r\n",
        id_of(&s)
    );
    stream.write_all(head.as_bytes()).unwrap();
    for _ in 0..30 {
        if stream.write_all(b"2710\r\n").is_err() || stream.write_all(&file(10_000)).is_err() {
            break;
        }
        let _ = stream.write_all(b"\r\n");
    }
    let _ = stream.write_all(b"0\r\n\r\n");
    let mut answer = [0u8; 12];
    std::io::Read::read_exact(&mut stream, &mut answer).unwrap();
    assert_eq!(&answer, b"HTTP/1.1 413");
    drop(stream);

    // A client that promises 90,000 bytes, sends 1,000 and goes away.
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", app.port)).unwrap();
    let head = format!(
        "POST /v1/training-sessions/{}/materials?filename=cut.webm HTTP/1.1\r\nhost: x\r\n\
         authorization: Bearer test-trainer\r\ncontent-type: video/webm\r\ncontent-length: 90000\r\n\r\n",
        id_of(&s)
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&file(1_000)).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    drop(stream);
    for _ in 0..50 {
        if stored_files(&app) == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let left: Vec<_> = walk(&storage(&app));
    assert_eq!(stored_files(&app), 0, "{left:?}");
    assert_eq!(materials_in_audit(&app).await, 0);

    let res = upload(&app, "01938a7e-4c1b-7d2e-9f00-0000000000aa", file(10)).await;
    assert_eq!(problem(res).await.0, 404);
    let res = app
        .as_role(
            Role::Trainer,
            Method::POST,
            &format!("/v1/training-sessions/{}/materials?filename=a/b", id_of(&s)),
        )
        .header("content-type", "video/webm")
        .body(file(10))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 422);
    assert_eq!(stored_files(&app), 0);
}

fn walk(d: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(d).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(format!(
                "{} {}",
                e.path().display(),
                e.metadata().unwrap().len()
            ));
        }
    }
    out
}

#[actix_web::test]
async fn a_signed_playback_url_streams_with_ranges_without_a_token_and_a_bad_one_is_refused() {
    let app = spawn().await;
    let s = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    let content = file(100_000);
    let m: Value = upload(&app, &id_of(&s), content.clone())
        .await
        .json()
        .await
        .unwrap();
    let id = m["material_id"].as_str().unwrap().to_owned();
    let other: Value = upload(&app, &id_of(&s), file(10))
        .await
        .json()
        .await
        .unwrap();
    let other = other["material_id"].as_str().unwrap().to_owned();

    // A member may ask for one; a token-less request may not.
    let res = as_member_e1(&app, Method::GET, &format!("/v1/materials/{id}/playback"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let p: Value = res.json().await.unwrap();
    let url = p["url"].as_str().unwrap().to_owned();
    let expires = start().timestamp() + 600;
    assert!(
        url.starts_with(&format!(
            "/v1/materials/{id}/content?expires={expires}&signature="
        )),
        "{url}"
    );
    assert_eq!(
        p["expires_at"],
        chrono::DateTime::from_timestamp(expires, 0)
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    let res = app
        .client
        .get(app.url(&format!("/v1/materials/{id}/playback")))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 401);
    assert_eq!(
        get_json(
            &app,
            "/v1/materials/01938a7e-4c1b-7d2e-9f00-00000000dead/playback"
        )
        .await
        .0,
        404
    );

    // The URL alone streams, with Range and the same ETag.
    let plain = |path: &str| app.client.get(app.url(path));
    let res = plain(&url)
        .header("range", "bytes=100-199")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 206);
    assert_eq!(res.headers()["content-range"], "bytes 100-199/100000");
    let sha = hex::encode(Sha256::digest(&content));
    assert_eq!(
        res.headers()["etag"].to_str().unwrap(),
        format!("\"sha256-{sha}\"")
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), &content[100..200]);
    let res = plain(&url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().len(), 100_000);

    // Tampered signature, another expiry, another material, no token nor signature.
    let signature = url.rsplit_once('=').unwrap().1.to_owned();
    let flipped: String = {
        let mut c: Vec<char> = signature.chars().collect();
        c[0] = if c[0] == '0' { '1' } else { '0' };
        c.into_iter().collect()
    };
    for bad in [
        format!("/v1/materials/{id}/content?expires={expires}&signature={flipped}"),
        format!(
            "/v1/materials/{id}/content?expires={}&signature={signature}",
            expires + 3600
        ),
        format!("/v1/materials/{other}/content?expires={expires}&signature={signature}"),
        format!("/v1/materials/{id}/content?expires=soon&signature={signature}"),
        format!("/v1/materials/{id}/content?expires={expires}"),
    ] {
        let res = plain(&bad).send().await.unwrap();
        assert_eq!(problem(res).await.0, 403, "{bad}");
    }
    let res = plain(&format!("/v1/materials/{id}/content"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 401);

    // Expired: one second past its end.
    app.clock.advance(chrono::Duration::seconds(601));
    let res = plain(&url).send().await.unwrap();
    assert_eq!(problem(res).await.0, 403);
}

#[actix_web::test]
async fn a_material_whose_file_is_gone_answers_503_problem_not_500() {
    let app = spawn().await;
    let s = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    let res = upload(&app, &id_of(&s), file(10_000)).await;
    assert_eq!(res.status(), 201);
    let m: Value = res.json().await.unwrap();
    let id = m["material_id"].as_str().unwrap().to_owned();
    // The one finished file in the store, deleted behind the service's back.
    let stored: Vec<_> = std::fs::read_dir(storage(&app))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    assert_eq!(stored.len(), 1, "{stored:?}");
    std::fs::remove_file(&stored[0]).unwrap();

    let path = format!("/v1/materials/{id}/content");
    for range in [None, Some("bytes=0-99")] {
        let mut req = app.as_role(Role::Integration, Method::GET, &path);
        if let Some(r) = range {
            req = req.header("range", r);
        }
        let (status, body) = problem(req.send().await.unwrap()).await;
        assert_eq!((status, body["code"].as_str()), (503, Some("unavailable")));
        assert!(
            body["detail"].as_str().unwrap().contains("missing"),
            "{body}"
        );
    }
    // The signed URL a player holds meets the same answer.
    let (_, playback) = get_json(&app, &format!("/v1/materials/{id}/playback")).await;
    let res = app
        .client
        .get(app.url(playback["url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 503);
    // The material itself is still listed: only its content is unavailable.
    assert_eq!(get_json(&app, &format!("/v1/materials/{id}")).await.0, 200);
}
