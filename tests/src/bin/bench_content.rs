//! `bench-content [--mib N] [--clients C] [--rounds R]`: streaming one recording (1 GiB by
//! default) to 8 concurrent clients from training-record's content route (its signed
//! playback URL, as a `<video>` asks), against nginx (Debian's package, started here on a
//! free port with a generated configuration) serving the same stored file from the same
//! disk, in the same run. Each client is a `curl` process downloading the whole file; the
//! figure is bytes delivered over wall time, the best of `R` rounds (2) for each server,
//! the two servers taking turns. The file is read once beforehand so both are served from
//! the page cache. Target: the service at least 0.80x nginx.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark fails loudly

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use continuity_shared::testing::TestDatabase;
use continuity_tests::bench::{SERVICE_TOKEN, TOKEN, client_runtime, start_service, stop};
use continuity_tests::free_port;
use serde_json::{Value, json};

const RATIO_TARGET: f64 = 0.80;

fn main() -> anyhow::Result<()> {
    let arg = continuity_tests::bench::arg;
    let mib: u64 = arg("--mib").map_or(Ok(1024), |n| n.parse())?;
    let clients: usize = arg("--clients").map_or(Ok(8), |n| n.parse())?;
    let rounds: usize = arg("--rounds").map_or(Ok(2), |n| n.parse())?;

    let db = TestDatabase::sqlite();
    let (base, handle, thread) = start_service(&training_record::SERVICE, &db, &[])?;
    let recording = db.dir().join("recording.webm");
    write_recording(&recording, mib << 20)?;
    let signed = client_runtime().block_on(upload(&base, &recording))?;
    std::fs::remove_file(&recording)?;
    let store = db.dir().join("training-materials");
    let key = stored_file(&store)?;
    let size = std::fs::metadata(store.join(&key))?.len();
    // Both servers read from the page cache, not one of them from the disk.
    std::io::copy(
        &mut std::fs::File::open(store.join(&key))?,
        &mut std::io::sink(),
    )?;

    let nginx_dir = db.dir().join("nginx");
    let (nginx, nginx_port) = start_nginx(&nginx_dir, &store)?;
    let targets = [
        ("nginx", format!("http://127.0.0.1:{nginx_port}/{key}")),
        ("training-record", format!("{base}{signed}")),
    ];
    let mut best = [0.0f64; 2];
    for round in 1..=rounds {
        for (i, (name, url)) in targets.iter().enumerate() {
            let rate = stream(url, clients, size)?;
            println!("round {round}: {name}: {:.0} MiB/s", rate / 1048576.0);
            best[i] = best[i].max(rate);
        }
    }
    stop_nginx(nginx, &nginx_dir)?;
    stop(handle, thread);

    let ratio = best[1] / best[0];
    println!();
    println!(
        "{} MiB to {clients} concurrent clients, best of {rounds} rounds",
        size >> 20
    );
    println!("| server | throughput | ratio |");
    println!("|---|---|---|");
    println!(
        "| nginx (sendfile) | {:.0} MiB/s | 1.00x |",
        best[0] / 1048576.0
    );
    println!(
        "| training-record `GET /v1/materials/{{id}}/content` (signed URL) | {:.0} MiB/s | {ratio:.2}x ({}) |",
        best[1] / 1048576.0,
        if ratio >= RATIO_TARGET {
            "met, >= 0.80x"
        } else {
            "missed, >= 0.80x"
        }
    );
    Ok(())
}

/// `len` bytes that do not compress (a recording does not), from a fixed xorshift.
fn write_recording(path: &Path, len: u64) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut block = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        for word in block.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            word.copy_from_slice(&x.to_le_bytes());
        }
        let n = left.min(block.len() as u64) as usize;
        out.write_all(&block[..n])?;
        left -= n as u64;
    }
    out.flush()?;
    Ok(())
}

/// A project in the roster copy, a session, the recording uploaded (by `curl`, which
/// streams it from the file), and its signed playback URL (relative).
async fn upload(base: &str, recording: &Path) -> anyhow::Result<String> {
    let client = reqwest::Client::new();
    let project = "01938a7e-4c1b-7d2e-9f00-000000000001";
    let events = json!([{"specversion": "1.0", "id": "bench-1", "source": "staffing",
        "type": "project.upserted", "time": "2026-01-01T00:00:00Z",
        "data": {"project_id": project, "name": "CRM", "status": "in_progress",
                 "planned_start": null, "planned_go_live": "2027-06-01", "stabilization_months": 3}}]);
    let res = client
        .post(format!("{base}/v1/events"))
        .bearer_auth(SERVICE_TOKEN)
        .header("content-type", "application/cloudevents-batch+json")
        .body(events.to_string())
        .send()
        .await?;
    anyhow::ensure!(res.status().is_success(), "events: {}", res.status());
    let session: Value = client
        .post(format!("{base}/v1/projects/{project}/training-sessions"))
        .bearer_auth(TOKEN)
        .json(
            &json!({"title": "Bench", "module": "leads", "held_on": "2026-01-02",
                      "trainer": "Wang", "duration_minutes": 60, "departments": ["sales"]}),
        )
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let session = session["session_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let out = Command::new("curl")
        .args(["-sS", "-f", "-X", "POST", "-T"])
        .arg(recording)
        .args(["-H", &format!("Authorization: Bearer {TOKEN}")])
        .args(["-H", "Content-Type: video/webm"])
        .arg(format!(
            "{base}/v1/training-sessions/{session}/materials?filename=rec.webm&duration_seconds=3600"
        ))
        .output()?;
    anyhow::ensure!(out.status.success(), "upload: {out:?}");
    let material: Value = serde_json::from_slice(&out.stdout)?;
    let id = material["material_id"].as_str().unwrap_or_default();
    let playback: Value = client
        .get(format!("{base}/v1/materials/{id}/playback"))
        .bearer_auth(TOKEN)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(playback["url"].as_str().unwrap_or_default().to_owned())
}

/// The one finished file in the store (its name is the stored key).
fn stored_file(store: &Path) -> anyhow::Result<String> {
    for entry in std::fs::read_dir(store)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            return Ok(entry.file_name().to_string_lossy().into_owned());
        }
    }
    anyhow::bail!("no stored file in {}", store.display())
}

/// nginx in the foreground on a free port, serving `root`, as a web server would serve
/// static recordings: sendfile, no access log.
fn start_nginx(dir: &Path, root: &Path) -> anyhow::Result<(Child, u16)> {
    std::fs::create_dir_all(dir.join("tmp"))?;
    let port = free_port();
    let d = dir.display();
    let conf = format!(
        "daemon off;\nuser root;\nworker_processes 2;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  default_type video/webm;\n\
         \x20 client_body_temp_path {d}/tmp/body;\n  proxy_temp_path {d}/tmp/proxy;\n\
         \x20 fastcgi_temp_path {d}/tmp/fastcgi;\n  uwsgi_temp_path {d}/tmp/uwsgi;\n  scgi_temp_path {d}/tmp/scgi;\n\
         \x20 server {{ listen 127.0.0.1:{port}; root {}; }}\n}}\n",
        root.display()
    );
    let path = dir.join("nginx.conf");
    std::fs::write(&path, conf)?;
    let nginx =
        which("nginx").ok_or_else(|| anyhow::anyhow!("no nginx (apt-get install nginx)"))?;
    let child = Command::new(nginx)
        .arg("-e")
        .arg(dir.join("error.log"))
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(&path)
        .stdout(Stdio::null())
        .spawn()?;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok((child, port));
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    anyhow::bail!(
        "nginx did not listen on {port}: see {}",
        dir.join("error.log").display()
    )
}

/// `nginx -s stop` on the instance in `dir`: killing the master alone would leave its
/// workers running (and the deleted file held open).
fn stop_nginx(mut nginx: Child, dir: &Path) -> anyhow::Result<()> {
    let stopped = Command::new(which("nginx").unwrap_or_else(|| "nginx".into()))
        .arg("-e")
        .arg(dir.join("error.log"))
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .args(["-s", "stop"])
        .status()?;
    if !stopped.success() {
        let _ = nginx.kill();
    }
    nginx.wait()?;
    Ok(())
}

/// `nginx` on the PATH or in the sbin directories Debian puts it in.
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/sbin".into()])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// `clients` curls each downloading `url` whole at once: bytes per second over the wall
/// time of all; every download must be a 200 of `size` bytes.
fn stream(url: &str, clients: usize, size: u64) -> anyhow::Result<f64> {
    let started = Instant::now();
    let children: Vec<Child> = (0..clients)
        .map(|_| {
            Command::new("curl")
                .args([
                    "-sS",
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code} %{size_download}",
                ])
                .arg(url)
                .stdout(Stdio::piped())
                .spawn()
        })
        .collect::<Result<_, _>>()?;
    for child in children {
        let out = child.wait_with_output()?;
        let report = String::from_utf8_lossy(&out.stdout);
        anyhow::ensure!(report == format!("200 {size}"), "{url}: {report}");
    }
    Ok((size * clients as u64) as f64 / started.elapsed().as_secs_f64())
}
