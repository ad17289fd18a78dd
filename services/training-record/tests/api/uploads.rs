//! Resumable uploads by tus 1.0: created, sent in parts, cut off, resumed from the offset
//! the server reports, finished into a material; terminated; expired.

use std::time::Duration;

use base64::Engine;
use continuity_shared::auth::Role;
use continuity_shared::testing::TestApp;
use reqwest::{Method, Response};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::helpers::*;

const PART: usize = 300_000;

fn file(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 13 % 251) as u8).collect()
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn tus(app: &TestApp, method: Method, path: &str) -> reqwest::RequestBuilder {
    app.as_role(Role::Trainer, method, path)
        .header("tus-resumable", "1.0.0")
}

fn header<'a>(res: &'a Response, name: &str) -> Option<&'a str> {
    res.headers().get(name).map(|v| v.to_str().unwrap())
}

/// Creates an upload of `length` bytes; returns its path (`/v1/uploads/{id}`).
async fn create(app: &TestApp, session: &str, length: usize) -> String {
    let res = tus(
        app,
        Method::POST,
        &format!("/v1/training-sessions/{session}/uploads"),
    )
    .header("upload-length", length.to_string())
    .header(
        "upload-metadata",
        format!(
            "filename {},filetype {},duration_seconds {}",
            b64("培训录像.mp4"),
            b64("video/mp4"),
            b64("600")
        ),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(header(&res, "tus-resumable"), Some("1.0.0"));
    assert!(header(&res, "upload-expires").unwrap().ends_with(" GMT"));
    header(&res, "location").unwrap().to_owned()
}

async fn patch(app: &TestApp, upload: &str, offset: usize, body: &[u8]) -> Response {
    tus(app, Method::PATCH, upload)
        .header("content-type", "application/offset+octet-stream")
        .header("upload-offset", offset.to_string())
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
}

/// The offset HEAD reports.
async fn offset(app: &TestApp, upload: &str) -> Option<usize> {
    let res = tus(app, Method::HEAD, upload).send().await.unwrap();
    if res.status() == 404 {
        return None;
    }
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "cache-control"), Some("no-store"));
    assert!(header(&res, "upload-length").is_some());
    Some(header(&res, "upload-offset").unwrap().parse().unwrap())
}

/// Sends a PATCH's headers and only `sent` of `body`'s bytes, then closes the connection:
/// a client cut off mid-request.
async fn cut_off_patch(app: &TestApp, upload: &str, offset: usize, body: &[u8], sent: usize) {
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", app.port))
        .await
        .unwrap();
    let head = format!(
        "PATCH {upload} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer test-trainer\r\n\
         Tus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\n\
         Upload-Offset: {offset}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(&body[..sent]).await.unwrap();
    s.flush().await.unwrap();
    s.shutdown().await.unwrap();
}

/// Files of unfinished uploads in the store.
fn parts(app: &TestApp) -> usize {
    let dir = app
        .settings
        .data_dir
        .join("training-materials")
        .join("uploads");
    std::fs::read_dir(dir).unwrap().count()
}

#[actix_web::test]
async fn an_upload_in_three_parts_resumes_after_being_cut_off_and_becomes_the_material() {
    let app = spawn().await;
    let s = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    let session = id_of(&s);
    let res = tus(
        &app,
        Method::OPTIONS,
        &format!("/v1/training-sessions/{session}/uploads"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(header(&res, "tus-version"), Some("1.0.0"));
    assert_eq!(
        header(&res, "tus-extension"),
        Some("creation,termination,expiration")
    );
    assert_eq!(header(&res, "tus-max-size"), Some("8589934592"));

    let content = file(3 * PART);
    let upload = create(&app, &session, content.len()).await;
    assert_eq!(offset(&app, &upload).await, Some(0));

    let res = patch(&app, &upload, 0, &content[..PART]).await;
    assert_eq!(res.status(), 204);
    assert_eq!(header(&res, "upload-offset"), Some("300000"));

    // The second part breaks off after 100,000 bytes: the server keeps them.
    cut_off_patch(&app, &upload, PART, &content[PART..2 * PART], 100_000).await;

    // The server records what arrived once it sees the connection gone.
    let mut kept = PART;
    for _ in 0..200 {
        kept = offset(&app, &upload).await.unwrap();
        if kept != PART {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(kept, PART + 100_000);

    // As a tus client does: ask the offset, continue from it; 409 (the server may still be
    // finishing the broken request) means ask again.
    let mut resumed_from = None;
    for _ in 0..100 {
        let at = offset(&app, &upload).await.unwrap();
        let res = patch(&app, &upload, at, &content[at..2 * PART]).await;
        if res.status() == 204 {
            assert_eq!(header(&res, "upload-offset"), Some("600000"));
            resumed_from = Some(at);
            break;
        }
        assert_eq!(problem(res).await.0, 409);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(resumed_from, Some(PART + 100_000));

    let res = patch(&app, &upload, 2 * PART, &content[2 * PART..]).await;
    assert_eq!(res.status(), 204);
    assert_eq!(header(&res, "upload-offset"), Some("900000"));
    assert_eq!(offset(&app, &upload).await, Some(3 * PART));
    assert_eq!(parts(&app), 0);

    // The finished upload is the material of the same id.
    let id = upload.rsplit('/').next().unwrap();
    let (status, m) = get_json(&app, &format!("/v1/materials/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(m["sha256"], hex::encode(Sha256::digest(&content)));
    assert_eq!(
        (m["size_bytes"].as_u64(), m["duration_seconds"].as_u64()),
        (Some(900_000), Some(600))
    );
    assert_eq!(
        (m["kind"].as_str(), m["filename"].as_str()),
        (Some("video"), Some("培训录像.mp4"))
    );
    let body = app
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
    assert!(body[..] == content[..]);
}

#[actix_web::test]
async fn a_patch_from_another_offset_is_409_and_one_past_the_length_is_413() {
    let app = spawn().await;
    let s = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    let upload = create(&app, &id_of(&s), 1000).await;
    assert_eq!(patch(&app, &upload, 0, &file(400)).await.status(), 204);

    let (status, body) = problem(patch(&app, &upload, 0, &file(10)).await).await;
    assert_eq!(status, 409);
    assert!(
        body["detail"].as_str().unwrap().contains("offset 400"),
        "{body}"
    );
    assert_eq!(
        problem(patch(&app, &upload, 500, &file(10)).await).await.0,
        409
    );
    assert_eq!(
        problem(patch(&app, &upload, 400, &file(601)).await).await.0,
        413
    );
    assert_eq!(offset(&app, &upload).await, Some(400));
}

#[actix_web::test]
async fn bad_tus_requests_are_answered_as_problems_and_create_nothing() {
    let app = spawn_with(&[("CONTINUITY_TRAINING_RECORD__MAX_UPLOAD_BYTES", "100000")]).await;
    let s = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    let path = format!("/v1/training-sessions/{}/uploads", id_of(&s));
    let name = format!("filename {}", b64("a.pdf"));
    let post = |version: Option<&str>, length: Option<&str>, meta: &str| {
        let mut req = app
            .as_role(Role::Trainer, Method::POST, &path)
            .header("upload-metadata", meta.to_owned());
        if let Some(v) = version {
            req = req.header("tus-resumable", v);
        }
        if let Some(l) = length {
            req = req.header("upload-length", l);
        }
        req.send()
    };
    let res = post(None, Some("10"), &name).await.unwrap();
    assert_eq!(header(&res, "tus-resumable"), Some("1.0.0"));
    assert_eq!(problem(res).await.0, 412);
    assert_eq!(
        problem(post(Some("0.2.2"), Some("10"), &name).await.unwrap())
            .await
            .0,
        412
    );
    assert_eq!(
        problem(post(Some("1.0.0"), None, &name).await.unwrap())
            .await
            .0,
        400
    );
    assert_eq!(
        problem(post(Some("1.0.0"), Some("-1"), &name).await.unwrap())
            .await
            .0,
        400
    );
    assert_eq!(
        problem(post(Some("1.0.0"), Some("100001"), &name).await.unwrap())
            .await
            .0,
        413
    );
    assert_eq!(
        problem(
            post(Some("1.0.0"), Some("10"), "filename ***")
                .await
                .unwrap()
        )
        .await
        .0,
        422
    );
    let (status, body) = problem(post(Some("1.0.0"), Some("10"), "").await.unwrap()).await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (422, Some("filename"))
    );
    let res = as_member_e1(&app, Method::POST, &path)
        .header("tus-resumable", "1.0.0")
        .header("upload-length", "10")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 403);
    let res = tus(
        &app,
        Method::POST,
        &format!("/v1/training-sessions/{P_UNKNOWN}/uploads"),
    )
    .header("upload-length", "10")
    .header("upload-metadata", name.clone())
    .send()
    .await
    .unwrap();
    assert_eq!(problem(res).await.0, 404);
    assert_eq!(parts(&app), 0);

    let upload = create(&app, &id_of(&s), 10).await;
    let res = tus(&app, Method::PATCH, &upload)
        .header("content-type", "application/octet-stream")
        .header("upload-offset", "0")
        .body("0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 415);
    let res = tus(&app, Method::PATCH, &upload)
        .header("content-type", "application/offset+octet-stream")
        .body("0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 400);
    let res = tus(&app, Method::PATCH, "/v1/uploads/not-an-id")
        .header("content-type", "application/offset+octet-stream")
        .header("upload-offset", "0")
        .body("0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 422);
    assert_eq!(offset(&app, &upload).await, Some(0));
}

#[actix_web::test]
async fn a_terminated_upload_is_gone_with_its_bytes() {
    let app = spawn().await;
    let s = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    let upload = create(&app, &id_of(&s), 1000).await;
    assert_eq!(patch(&app, &upload, 0, &file(400)).await.status(), 204);
    assert_eq!(parts(&app), 1);
    let res = tus(&app, Method::DELETE, &upload).send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(parts(&app), 0);
    assert_eq!(offset(&app, &upload).await, None);
    assert_eq!(
        problem(patch(&app, &upload, 400, &file(10)).await).await.0,
        404
    );
    let res = tus(&app, Method::DELETE, &upload).send().await.unwrap();
    assert_eq!(problem(res).await.0, 404);
}

#[actix_web::test]
async fn an_unfinished_upload_expires_and_the_scheduler_removes_it() {
    let app = spawn_with(&[
        ("CONTINUITY_SCHEDULER__TICK_SECONDS", "1"),
        ("CONTINUITY_TRAINING_RECORD__UPLOAD_EXPIRY_HOURS", "2"),
    ])
    .await;
    let s = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    let unfinished = create(&app, &id_of(&s), 1000).await;
    assert_eq!(patch(&app, &unfinished, 0, &file(400)).await.status(), 204);
    let finished = create(&app, &id_of(&s), 10).await;
    assert_eq!(patch(&app, &finished, 0, &file(10)).await.status(), 204);

    // The expiry counts from the last request: an hour later both are still there.
    app.clock.advance(chrono::Duration::hours(1));
    assert_eq!(offset(&app, &unfinished).await, Some(400));
    assert_eq!(parts(&app), 1);

    app.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(offset(&app, &unfinished).await, None);
    assert_eq!(
        problem(patch(&app, &unfinished, 400, &file(600)).await)
            .await
            .0,
        404
    );
    let mut left = 1;
    for _ in 0..100 {
        left = parts(&app);
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(left, 0);
    // The finished one's material stays.
    let id = finished.rsplit('/').next().unwrap();
    let (status, m): (u16, Value) = get_json(&app, &format!("/v1/materials/{id}")).await;
    assert_eq!((status, m["size_bytes"].as_u64()), (200, Some(10)));
}

/// A 7-second H.264 recording (64x48, 3 KiB) made by ffmpeg's test source, `moov` last.
const TINY_MP4: &[u8] = include_bytes!("../fixtures/testsrc-7s.mp4");
/// The same 7 seconds as VP8 in WebM (32x24, 4 KiB), its Cues at the end.
const TINY_WEBM: &[u8] = include_bytes!("../fixtures/testsrc-7s.webm");

#[actix_web::test]
async fn a_recordings_duration_is_read_from_its_mp4_or_webm_metadata_unless_the_request_gives_it() {
    let app = spawn().await;
    let s = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    for (file, ext) in [(TINY_MP4, "mp4"), (TINY_WEBM, "webm")] {
        let single = |query: &str| {
            app.as_role(
                Role::Trainer,
                Method::POST,
                &format!(
                    "/v1/training-sessions/{}/materials?filename=a.{ext}{query}",
                    id_of(&s)
                ),
            )
            .header("content-type", format!("video/{ext}"))
            .body(file.to_vec())
            .send()
        };
        let m: Value = single("").await.unwrap().json().await.unwrap();
        assert_eq!(m["duration_seconds"], 7, "{ext}: {m}");
        let m: Value = single("&duration_seconds=3600")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(m["duration_seconds"], 3600, "{ext}");

        // Resumable, in two parts, with no duration in its metadata.
        let res = tus(
            &app,
            Method::POST,
            &format!("/v1/training-sessions/{}/uploads", id_of(&s)),
        )
        .header("upload-length", file.len().to_string())
        .header(
            "upload-metadata",
            format!(
                "filename {},filetype {}",
                b64(&format!("a.{ext}")),
                b64(&format!("video/{ext}"))
            ),
        )
        .send()
        .await
        .unwrap();
        let upload = header(&res, "location").unwrap().to_owned();
        let half = file.len() / 2;
        assert_eq!(patch(&app, &upload, 0, &file[..half]).await.status(), 204);
        assert_eq!(
            patch(&app, &upload, half, &file[half..]).await.status(),
            204
        );
        let id = upload.rsplit('/').next().unwrap();
        let (_, m) = get_json(&app, &format!("/v1/materials/{id}")).await;
        assert_eq!(m["duration_seconds"], 7, "{ext} (resumable): {m}");
    }
    // A file that only looks like a WebM at first (its magic, then garbage) is stored
    // without a duration of its own: the session's counts.
    let mut fake = TINY_WEBM[..4].to_vec();
    fake.extend_from_slice(&[0xFF; 5000]);
    let res = app
        .as_role(
            Role::Trainer,
            Method::POST,
            &format!(
                "/v1/training-sessions/{}/materials?filename=b.webm",
                id_of(&s)
            ),
        )
        .header("content-type", "video/webm")
        .body(fake)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let m: Value = res.json().await.unwrap();
    assert_eq!(m["duration_seconds"], Value::Null, "{m}");
}
