//! What the benchmark programs share: staffing started in-process on its own threads, the
//! raw database baselines (SQLite one-row commits, `pgbench`), and load from `wrk` (when
//! installed) or from an HTTP client in this process, measured as throughput and p50/p99.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark fails loudly

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use continuity_shared::server::Application;
use continuity_shared::settings::Settings;
use continuity_shared::testing::{TestDatabase, with_database};
use diesel::Connection;
use diesel::connection::SimpleConnection;

use crate::free_port;

mod hr;
mod presigned;
mod roster;
pub use hr::{HR_KEY, deliveries_for, hired, hired_deliveries, hr_secret, sign};
pub use presigned::{Presigned, Replayed, replay, wrk_presigned};
pub use roster::{feed_roster, import_people, reads_by_id, settle};

/// The admin token services are started with.
pub const TOKEN: &str = "bench-admin";

/// The token services call each other with (and a benchmark posts events as).
pub const SERVICE_TOKEN: &str = "bench-service";

/// The value after `name` on the command line (`--seconds 5`), if given.
pub fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// One-row INSERT transactions on a fresh table beside the service's database for three
/// seconds: what the disk allows one connection, flush by flush. Prints how long the
/// slowest commits took: a flush the disk holds up holds up every request waiting for it,
/// so the disk's own stalls bound the p99 that any load can reach.
pub fn sqlite_baseline(db: &TestDatabase) -> anyhow::Result<f64> {
    let path = db.dir().join("baseline.db");
    let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy())?;
    conn.batch_execute(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
         CREATE TABLE rows (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);",
    )?;
    let mut commits = Vec::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(3) {
        let i = commits.len();
        let one = Instant::now();
        conn.batch_execute(&format!(
            "BEGIN; INSERT INTO rows (id, payload) VALUES ({i}, 'row {i}'); COMMIT;"
        ))?;
        commits.push(one.elapsed());
    }
    let rate = commits.len() as f64 / started.elapsed().as_secs_f64();
    commits.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let slowest = commits.last().copied().unwrap_or_default();
    let stalls = commits.iter().filter(|d| ms(**d) > 25.0).count();
    println!(
        "\nBaseline: {} one-row commits in 3 s, p99 {:.2} ms, slowest {:.1} ms, {stalls} over 25 ms",
        commits.len(),
        ms(commits[commits.len() * 99 / 100]),
        ms(slowest),
    );
    Ok(rate)
}

/// `pgbench` select-only and one-row INSERT rates with `clients` clients, on a scratch
/// database of its own.
pub fn pgbench(admin_url: &str, clients: u32, seconds: u64) -> anyhow::Result<(f64, f64)> {
    let scratch = TestDatabase::postgres(admin_url);
    let run = pgbench_runner(&scratch);
    run(&["-i", "-q", "-s", "1"])?;
    let (c, t) = (clients.to_string(), seconds.to_string());
    let select = tps(&run(&["-S", "-n", "-c", &c, "-j", "2", "-T", &t])?)?;
    let insert = pgbench_insert_on(admin_url, &scratch, clients, seconds)?;
    Ok((select, insert))
}

/// `pgbench`'s one-row INSERT rate with `clients` clients, on a scratch database of its own.
pub fn pgbench_insert(admin_url: &str, clients: u32, seconds: u64) -> anyhow::Result<f64> {
    let scratch = TestDatabase::postgres(admin_url);
    pgbench_insert_on(admin_url, &scratch, clients, seconds)
}

fn pgbench_runner(scratch: &TestDatabase) -> impl Fn(&[&str]) -> anyhow::Result<String> {
    let url = scratch.url.clone();
    move |args: &[&str]| -> anyhow::Result<String> {
        let out = Command::new("pgbench").args(args).arg(&url).output()?;
        anyhow::ensure!(
            out.status.success(),
            "pgbench: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

fn pgbench_insert_on(
    admin_url: &str,
    scratch: &TestDatabase,
    clients: u32,
    seconds: u64,
) -> anyhow::Result<f64> {
    let run = pgbench_runner(scratch);
    let mut conn = diesel::PgConnection::establish(&with_database(
        admin_url,
        scratch.url.rsplit('/').next().unwrap_or_default(),
    ))?;
    conn.batch_execute(
        "CREATE TABLE bench_insert (id BIGSERIAL PRIMARY KEY, payload TEXT NOT NULL)",
    )?;
    let script = scratch.dir().join("insert.sql");
    std::fs::write(
        &script,
        "INSERT INTO bench_insert (payload) VALUES ('row');\n",
    )?;
    let script = format!("{}", script.display());
    let (c, t) = (clients.to_string(), seconds.to_string());
    tps(&run(&["-n", "-f", &script, "-c", &c, "-j", "2", "-T", &t])?)
}

pub fn tps(report: &str) -> anyhow::Result<f64> {
    report
        .lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no tps in pgbench's report: {report}"))
}

/// Staffing's base URL, its server handle and the thread it runs on.
pub type Started = (
    String,
    actix_web::dev::ServerHandle,
    std::thread::JoinHandle<()>,
);

/// Staffing alone on `db`, durable writes, three peers configured (their deliveries are
/// written, as in a real suite) but no dispatcher (nothing is sent), on its own threads;
/// `extra` settings (environment names and values) on top.
pub fn start_staffing(db: &TestDatabase, extra: &[(&str, String)]) -> anyhow::Result<Started> {
    start_service(&staffing::SERVICE, db, extra)
}

/// One service alone on `db`, as [`start_staffing`] starts staffing: its peers configured
/// where nothing listens, no dispatcher, durable writes, the bench tokens.
pub fn start_service(
    def: &'static continuity_shared::service::ServiceDef,
    db: &TestDatabase,
    extra: &[(&str, String)],
) -> anyhow::Result<Started> {
    let port = free_port();
    let dead_peer = "http://127.0.0.1:9";
    let me = def.service_name()?.section().to_uppercase();
    let mut env: Vec<(String, String)> = [
        "STAFFING",
        "TRAINING_RECORD",
        "PROCESS_CHANGE",
        "SCHEDULING",
    ]
    .into_iter()
    .filter(|s| *s != me)
    .map(|s| (format!("CONTINUITY_{s}__BASE_URL"), dead_peer.to_owned()))
    .collect();
    env.extend(
        [
            ("CONTINUITY_DATA_DIR", db.dir().display().to_string()),
            ("CONTINUITY_ADMIN_TOKEN", TOKEN.into()),
            ("CONTINUITY_SERVICE_TOKEN", SERVICE_TOKEN.into()),
            ("CONTINUITY_LOG__LEVEL", "error".into()),
            ("CONTINUITY_EVENTS__DISPATCHER", "false".into()),
            ("CONTINUITY_HTTP__BODY_LIMIT_BYTES", (16 << 20).to_string()),
            ("CONTINUITY_DATABASE__SQLITE_SYNCHRONOUS", "full".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v)),
    );
    env.push((format!("CONTINUITY_{me}__PORT"), port.to_string()));
    env.push((format!("CONTINUITY_{me}__DATABASE_URL"), db.url.clone()));
    env.extend(extra.iter().map(|(k, v)| ((*k).to_string(), v.clone())));
    let settings = Settings::load_from(&def.default_section(), None, env)?;
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let app = Application::build(def, &settings).await.unwrap();
            tx.send(app.handle()).unwrap();
            app.run().await.unwrap();
        });
    });
    let handle = rx.recv()?;
    Ok((format!("http://127.0.0.1:{port}"), handle, thread))
}

pub fn stop(handle: actix_web::dev::ServerHandle, thread: std::thread::JoinHandle<()>) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(handle.stop(false));
    let _ = thread.join();
}

pub fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

/// `GET {base}{path}` as the admin: the JSON answer, or an error naming the path and the
/// status.
pub async fn get_json(
    client: &reqwest::Client,
    base: &str,
    path: &str,
) -> anyhow::Result<serde_json::Value> {
    let res = client
        .get(format!("{base}{path}"))
        .bearer_auth(TOKEN)
        .send()
        .await?;
    anyhow::ensure!(res.status().is_success(), "{path}: {}", res.status());
    Ok(res.json().await?)
}

/// One load run's throughput and latency.
pub struct Measured {
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Answers that were not 2xx (or requests that failed).
    pub failures: usize,
    /// Requests completed in all.
    pub requests: usize,
}

impl Measured {
    /// A table row: the measure, its ratio to `baseline` and, when a target is given
    /// (`(ratio, p99 in ms)`), whether it is met.
    pub fn row(&self, what: &str, baseline: f64, target: Option<(f64, f64)>) -> String {
        let ratio = self.per_second / baseline;
        let verdict = target.map_or(String::new(), |(least, p99)| {
            let mut missed = Vec::new();
            if ratio < least {
                missed.push(format!("ratio {ratio:.2}x"));
            }
            if self.p99_ms >= p99 || self.p99_ms.is_nan() {
                missed.push(format!("p99 {:.1} ms", self.p99_ms));
            }
            if self.failures > 0 {
                missed.push(format!("{} failed", self.failures));
            }
            if missed.is_empty() {
                "met".to_owned()
            } else {
                format!("missed ({})", missed.join(", "))
            }
        });
        format!(
            "| {what} | {:.0} | {:.1} ms | {:.1} ms | {ratio:.2}x | {verdict} |{}",
            self.per_second,
            self.p50_ms,
            self.p99_ms,
            self.failed()
        )
    }

    pub fn print(&self, what: &str, baseline: f64) {
        println!(
            "| {what} | {:.0} | {:.1} ms | {:.1} ms | {:.2}x |{}",
            self.per_second,
            self.p50_ms,
            self.p99_ms,
            self.per_second / baseline,
            self.failed()
        );
    }

    /// ` (N failed)` when any did, else nothing.
    pub fn failed(&self) -> String {
        if self.failures > 0 {
            format!(" ({} failed)", self.failures)
        } else {
            String::new()
        }
    }
}

/// Runs `wrk` with `connections` connections for `duration` and the Lua `script` against
/// `base`, the script written to a directory named after `name`; `None` when `wrk` is not
/// installed or its report cannot be read.
pub fn wrk(
    name: &str,
    base: &str,
    connections: usize,
    duration: Duration,
    script: &str,
) -> Option<Measured> {
    wrk_report(name, base, connections, duration, script).map(|(m, _)| m)
}

/// [`wrk`] for a load of reads, after one unmeasured second of the same load: a service
/// just started fills its caches, prepares its statements and has PostgreSQL plan them in
/// its first requests, and a five-second run would count that start as its slowest
/// percent. Writes get no such second: it would use up their unique keys.
pub fn wrk_reads(
    name: &str,
    base: &str,
    connections: usize,
    duration: Duration,
    script: &str,
) -> Option<Measured> {
    wrk_report(name, base, connections, Duration::from_secs(1), script)?;
    wrk(name, base, connections, duration, script)
}

/// [`wrk`], with the whole report too: what the script's `done` printed is in it.
pub fn wrk_report(
    name: &str,
    base: &str,
    connections: usize,
    duration: Duration,
    script: &str,
) -> Option<(Measured, String)> {
    let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join("load.lua");
    std::fs::write(&path, script).ok()?;
    let out = Command::new("wrk")
        .args(["-t", "2", "-c", &connections.to_string()])
        .args(["-d", &format!("{}s", duration.as_secs()), "--latency", "-s"])
        .arg(&path)
        .arg(base)
        .output()
        .ok()?;
    let report = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() || !report.contains("Requests/sec:") {
        eprintln!(
            "wrk gave no report ({}): {}{}",
            out.status,
            report,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let field = |prefix: &str| -> Option<&str> {
        report
            .lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(prefix))
            .map(str::trim)
    };
    let ms = |text: &str| -> Option<f64> {
        let text = text.split_whitespace().next()?;
        if let Some(v) = text.strip_suffix("ms") {
            v.parse().ok()
        } else if let Some(v) = text.strip_suffix("us") {
            v.parse::<f64>().ok().map(|v| v / 1000.0)
        } else {
            text.strip_suffix('s')?
                .parse::<f64>()
                .ok()
                .map(|v| v * 1000.0)
        }
    };
    let failures = field("Non-2xx or 3xx responses:")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    // "12345 requests in 5.00s, 3.21MB read"
    let requests = report
        .lines()
        .map(str::trim)
        .find(|l| l.contains(" requests in "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let measured = Measured {
        per_second: field("Requests/sec:")?.parse().ok()?,
        p50_ms: ms(field("50%")?)?,
        p99_ms: ms(field("99%")?)?,
        failures,
        requests,
    };
    Some((measured, report.into_owned()))
}

/// `connections` clients in this process, each sending one request after another for
/// `duration`; `request` builds the `n`th request of client `worker`.
pub fn load_in_process<F>(connections: usize, duration: Duration, request: F) -> Measured
where
    F: Fn(&reqwest::Client, usize, usize) -> reqwest::RequestBuilder + Send + Sync + 'static,
{
    let runtime = client_runtime();
    let request = Arc::new(request);
    let counter = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut latencies: Vec<f64> = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(connections)
            .build()
            .unwrap();
        let tasks = (0..connections).map(|worker| {
            let (client, request) = (client.clone(), request.clone());
            let (counter, failures) = (counter.clone(), failures.clone());
            tokio::spawn(async move {
                let mut mine = Vec::new();
                let deadline = Instant::now() + duration;
                let mut n = 0usize;
                while Instant::now() < deadline {
                    let req = request(&client, worker, n);
                    let sent = Instant::now();
                    // The whole answer is read: a connection whose body is dropped unread
                    // is closed, and the next request would pay for a new one.
                    let ok = match req.send().await {
                        Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                        Err(_) => false,
                    };
                    if ok {
                        mine.push(sent.elapsed().as_secs_f64() * 1000.0);
                        counter.fetch_add(1, Ordering::Relaxed);
                    } else {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                    n += 1;
                }
                mine
            })
        });
        let mut all = Vec::new();
        for t in futures_util::future::join_all(tasks).await {
            all.extend(t.unwrap());
        }
        all
    });
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    let failures = failures.load(Ordering::Relaxed);
    let succeeded = counter.load(Ordering::Relaxed);
    Measured {
        per_second: succeeded as f64 / elapsed,
        p50_ms: at(0.50),
        p99_ms: at(0.99),
        failures,
        requests: succeeded + failures,
    }
}
