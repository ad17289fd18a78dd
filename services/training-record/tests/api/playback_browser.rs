//! The signed playback URL in a real browser: a WebM that Debian's ffmpeg makes during the
//! run is uploaded, and headless Chromium's `<video>` with the signed URL as its `src`
//! reaches `canplay` and completes a seek; a tampered signature, and the URL once expired,
//! are refused (403 over plain HTTP, a media error in the browser).
//!
//! Chromium and ffmpeg may be missing on a newcomer's machine: the test then says so and
//! passes, unless `CONTINUITY_REQUIRE_CHROMIUM=1` / `CONTINUITY_REQUIRE_FFMPEG=1` (set by
//! `.ci/run`) make the absence a failure.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use continuity_shared::testing::tools;
use reqwest::Method;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::helpers::*;

/// 10 s of ffmpeg's test pattern in VP8 with a key frame every second, so a seek lands.
fn make_webm(ffmpeg: &Path, out: &Path) {
    let status = Command::new(ffmpeg)
        .args(["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i"])
        .arg("testsrc=duration=10:size=160x120:rate=10")
        .args(["-c:v", "libvpx", "-b:v", "100k", "-g", "10"])
        .arg(out)
        .status()
        .unwrap();
    assert!(status.success(), "ffmpeg: {status}");
}

/// A page with one `<video>` per URL that posts, once each has either reached `canplay`
/// and finished a seek to 6 s or failed, what happened to each to `/result` (and shows it).
fn page(urls: &[String]) -> String {
    let videos: String = urls
        .iter()
        .enumerate()
        .map(|(i, u)| format!("<video id=\"v{i}\" preload=\"auto\" muted src=\"{u}\"></video>\n"))
        .collect();
    format!(
        r#"<!doctype html><meta charset="utf-8"><title>playback</title>
{videos}<pre id="out"></pre>
<script>
const videos = [...document.querySelectorAll('video')];
const results = videos.map(() => ({{canplay: false, seeked: false, duration: null, time: null, error: null}}));
let pending = videos.length;
const finish = () => {{
  if (--pending > 0) return;
  document.getElementById('out').textContent = JSON.stringify(results);
  fetch('/result', {{method: 'POST', body: JSON.stringify(results)}});
}};
videos.forEach((v, i) => {{
  const r = results[i];
  v.addEventListener('canplay', () => {{
    if (r.canplay) return; // it comes again after the seek
    r.canplay = true;
    r.duration = v.duration;
    v.currentTime = 6;
  }});
  v.addEventListener('seeked', () => {{ r.seeked = true; r.time = v.currentTime; finish(); }});
  v.addEventListener('error', () => {{ r.error = v.error ? v.error.code : -1; finish(); }});
}});
</script>
"#
    )
}

/// Serves `html` at `/` and hands what the page posts to `/result` to the receiver.
fn serve_page(
    html: String,
) -> (
    String,
    mpsc::UnboundedReceiver<String>,
    actix_web::dev::ServerHandle,
) {
    let (tx, rx) = mpsc::unbounded_channel::<String>();
    let server = HttpServer::new(move || {
        let html = html.clone();
        let tx = tx.clone();
        App::new()
            .route(
                "/",
                web::get().to(move || {
                    let html = html.clone();
                    async move { HttpResponse::Ok().content_type("text/html").body(html) }
                }),
            )
            .route(
                "/result",
                web::post().to(move |body: String| {
                    let _ = tx.send(body);
                    async { HttpResponse::NoContent().finish() }
                }),
            )
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let port = server.addrs()[0].port();
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (format!("http://127.0.0.1:{port}/"), rx, handle)
}

/// What each `<video>` of a page with `urls` did in headless Chromium.
async fn in_chromium(exe: &Path, profile: &Path, urls: &[String]) -> Vec<Value> {
    let (page_url, mut results, server) = serve_page(page(urls));
    let mut child = tools::browser(exe, profile)
        .arg("--autoplay-policy=no-user-gesture-required")
        .arg(&page_url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let got = tokio::time::timeout(Duration::from_secs(60), results.recv()).await;
    let _ = child.kill();
    let _ = child.wait();
    server.stop(false).await;
    let body = got
        .expect("the page reported nothing within 60 s")
        .expect("the page server stopped");
    serde_json::from_str::<Vec<Value>>(&body).unwrap()
}

#[actix_web::test]
async fn a_signed_playback_url_plays_and_seeks_in_headless_chromium_and_a_bad_one_is_refused() {
    let Some(chromium) =
        tools::find_or_skip("CHROMIUM", tools::chromium, "apt-get install chromium")
    else {
        return;
    };
    let Some(ffmpeg) = tools::find_or_skip("FFMPEG", tools::ffmpeg, "apt-get install ffmpeg")
    else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let webm = work.path().join("recording.webm");
    make_webm(&ffmpeg, &webm);

    let app = spawn().await;
    let s = create_session(&app, &session_body("A", "2026-11-02", &["sales"])).await;
    let res = app
        .as_role(
            continuity_shared::auth::Role::Trainer,
            Method::POST,
            &format!(
                "/v1/training-sessions/{}/materials?filename=recording.webm",
                id_of(&s)
            ),
        )
        .header("content-type", "video/webm")
        .body(std::fs::read(&webm).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let m: Value = res.json().await.unwrap();
    // No duration in the request: it is read from the WebM.
    assert_eq!(m["duration_seconds"], 10, "{m}");
    let id = m["material_id"].as_str().unwrap();

    let res = as_member_e1(&app, Method::GET, &format!("/v1/materials/{id}/playback"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let signed = app.url(res.json::<Value>().await.unwrap()["url"].as_str().unwrap());
    let (head, signature) = signed.rsplit_once("signature=").unwrap();
    let flipped = format!(
        "{head}signature={}{}",
        if signature.starts_with('0') { '1' } else { '0' },
        &signature[1..]
    );

    // Plain HTTP first: the URL serves the WebM, a tampered one is 403.
    let status = |url: String| {
        let client = app.client.clone();
        async move { client.get(url).send().await.unwrap() }
    };
    let ok = status(signed.clone()).await;
    assert_eq!(
        (
            ok.status().as_u16(),
            ok.headers()["content-type"].to_str().unwrap()
        ),
        (200, "video/webm")
    );
    assert_eq!(problem(status(flipped.clone()).await).await.0, 403);

    let results = in_chromium(
        &chromium,
        &work.path().join("profile-1"),
        &[signed.clone(), flipped],
    )
    .await;
    let good = &results[0];
    assert_eq!(
        (&good["canplay"], &good["seeked"], &good["error"]),
        (&Value::Bool(true), &Value::Bool(true), &Value::Null),
        "{results:?}"
    );
    let duration = good["duration"].as_f64().unwrap();
    assert!((duration - 10.0).abs() < 0.5, "duration {duration}");
    let time = good["time"].as_f64().unwrap();
    assert!((time - 6.0).abs() < 0.5, "after the seek: {time}");
    // MEDIA_ERR_SRC_NOT_SUPPORTED: the browser got the 403, no media.
    assert_eq!(
        (&results[1]["canplay"], &results[1]["error"]),
        (&Value::Bool(false), &Value::from(4)),
        "{results:?}"
    );

    // One second past its end, on the service's clock, the same URL is refused.
    app.clock.advance(chrono::Duration::seconds(601));
    assert_eq!(problem(status(signed.clone()).await).await.0, 403);
    let results = in_chromium(&chromium, &work.path().join("profile-2"), &[signed]).await;
    assert_eq!(
        (&results[0]["canplay"], &results[0]["error"]),
        (&Value::Bool(false), &Value::from(4)),
        "{results:?}"
    );
}
