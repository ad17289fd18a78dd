//! `bench-writes [--postgres URL] [--seconds N] [--connections N]`: how fast staffing
//! takes single-entity writes and reads, against the raw database measured in the same run.
//!
//! SQLite (always; `synchronous=full`, WAL):
//! - baseline: one-row INSERT transactions on a fresh table in the same data directory,
//!   one connection;
//! - `PUT /v1/employees/{id}` from N concurrent connections (each an actual change),
//!   throughput and p50/p99;
//! - a 100,000-row CSV import: the request's time, and the time it held the single writer
//!   (from the service's `db_write_transaction_seconds` histogram), per 25,000 rows.
//!
//! PostgreSQL (when a server URL is given): `pgbench` with as many clients as the
//! service's pool, select-only (`-S`) and a one-row INSERT script, beside
//! `GET /v1/employees/{id}` and `PUT /v1/employees/{id}` from N connections.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark fails loudly

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use continuity_shared::server::Application;
use continuity_shared::settings::Settings;
use continuity_shared::testing::{TestDatabase, with_database};
use continuity_tests::free_port;
use diesel::Connection;
use diesel::connection::SimpleConnection;

const TOKEN: &str = "bench-admin";
const EMPLOYEES: usize = 1000;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let postgres = arg("--postgres");
    let seconds: u64 = arg("--seconds").map_or(Ok(10), |n| n.parse())?;
    let connections: usize = arg("--connections").map_or(Ok(64), |n| n.parse())?;
    let duration = Duration::from_secs(seconds);

    let sqlite = TestDatabase::sqlite();
    let baseline = sqlite_baseline(&sqlite)?;
    let (base, handle, runtime) = start_staffing(&sqlite)?;
    seed(&base)?;
    let writes = load(&base, connections, duration, Kind::Write);
    let import = import(&base, 100_000)?;
    println!("\n## SQLite (synchronous=full), {connections} connections, {seconds} s\n");
    println!("| measure | per second | p50 | p99 | ratio to baseline |");
    println!("| --- | --- | --- | --- | --- |");
    println!("| one-row INSERT commits, one connection (baseline) | {baseline:.0} | | | 1.00x |");
    writes.print("PUT /v1/employees/{id}", baseline);
    println!(
        "\n100,000-row import: {:.2} s in all ({:.2} s per 25,000 rows); the writer held \
         {:.2} s in {} transaction(s), {:.2} s per 25,000 rows",
        import.request.as_secs_f64(),
        import.request.as_secs_f64() / 4.0,
        import.held_seconds,
        import.transactions,
        import.held_seconds / 4.0
    );
    stop(handle, runtime);

    if let Some(url) = postgres {
        let db = TestDatabase::postgres(&url);
        let (select_tps, insert_tps) = pgbench(&url, 8, seconds)?;
        let (base, handle, runtime) = start_staffing(&db)?;
        seed(&base)?;
        let reads = load(&base, connections, duration, Kind::Read);
        let writes = load(&base, connections, duration, Kind::Write);
        println!("\n## PostgreSQL, pool of 8, {connections} connections, {seconds} s\n");
        println!("| measure | per second | p50 | p99 | ratio to baseline |");
        println!("| --- | --- | --- | --- | --- |");
        println!("| pgbench -S, 8 clients (read baseline) | {select_tps:.0} | | | 1.00x |");
        println!(
            "| pgbench one-row INSERT, 8 clients (write baseline) | {insert_tps:.0} | | | 1.00x |"
        );
        reads.print("GET /v1/employees/{id}", select_tps);
        writes.print("PUT /v1/employees/{id}", insert_tps);
        stop(handle, runtime);
    }
    Ok(())
}

/// One-row INSERT transactions on a fresh table beside the service's database: what the
/// disk allows one connection, flush by flush.
fn sqlite_baseline(db: &TestDatabase) -> anyhow::Result<f64> {
    let path = db.dir().join("baseline.db");
    let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy())?;
    conn.batch_execute(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
         CREATE TABLE rows (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);",
    )?;
    let n = 3000;
    let started = Instant::now();
    for i in 0..n {
        conn.batch_execute(&format!(
            "BEGIN; INSERT INTO rows (id, payload) VALUES ({i}, 'row {i}'); COMMIT;"
        ))?;
    }
    Ok(f64::from(n) / started.elapsed().as_secs_f64())
}

/// `pgbench` select-only and one-row INSERT rates with `clients` clients, on a scratch
/// database of its own.
fn pgbench(admin_url: &str, clients: u32, seconds: u64) -> anyhow::Result<(f64, f64)> {
    let scratch = TestDatabase::postgres(admin_url);
    let url = scratch.url.clone();
    let run = |args: &[&str]| -> anyhow::Result<String> {
        let out = Command::new("pgbench").args(args).arg(&url).output()?;
        anyhow::ensure!(
            out.status.success(),
            "pgbench: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    run(&["-i", "-q", "-s", "1"])?;
    let (c, t) = (clients.to_string(), seconds.to_string());
    let select = tps(&run(&["-S", "-n", "-c", &c, "-j", "2", "-T", &t])?)?;
    let mut conn = diesel::PgConnection::establish(&with_database(
        admin_url,
        url.rsplit('/').next().unwrap_or_default(),
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
    let insert = tps(&run(&["-n", "-f", &script, "-c", &c, "-j", "2", "-T", &t])?)?;
    Ok((select, insert))
}

fn tps(report: &str) -> anyhow::Result<f64> {
    report
        .lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no tps in pgbench's report: {report}"))
}

type Started = (
    String,
    actix_web::dev::ServerHandle,
    std::thread::JoinHandle<()>,
);

/// Staffing alone on `db`, durable writes, three peers configured (their deliveries are
/// written, as in a real suite) but no dispatcher (nothing is sent), on its own threads.
fn start_staffing(db: &TestDatabase) -> anyhow::Result<Started> {
    let port = free_port();
    let dead_peer = "http://127.0.0.1:9";
    let env: Vec<(String, String)> = [
        ("CONTINUITY_DATA_DIR", db.dir().display().to_string()),
        ("CONTINUITY_STAFFING__PORT", port.to_string()),
        ("CONTINUITY_STAFFING__DATABASE_URL", db.url.clone()),
        ("CONTINUITY_TRAINING_RECORD__BASE_URL", dead_peer.into()),
        ("CONTINUITY_PROCESS_CHANGE__BASE_URL", dead_peer.into()),
        ("CONTINUITY_SCHEDULING__BASE_URL", dead_peer.into()),
        ("CONTINUITY_ADMIN_TOKEN", TOKEN.into()),
        ("CONTINUITY_SERVICE_TOKEN", "bench-service".into()),
        ("CONTINUITY_LOG__LEVEL", "error".into()),
        ("CONTINUITY_EVENTS__DISPATCHER", "false".into()),
        ("CONTINUITY_HTTP__BODY_LIMIT_BYTES", (16 << 20).to_string()),
        ("CONTINUITY_DATABASE__SQLITE_SYNCHRONOUS", "full".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let settings = Settings::load_from(&staffing::SERVICE.default_section(), None, env)?;
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let app = Application::build(&staffing::SERVICE, &settings)
                .await
                .unwrap();
            tx.send(app.handle()).unwrap();
            app.run().await.unwrap();
        });
    });
    let handle = rx.recv()?;
    Ok((format!("http://127.0.0.1:{port}"), handle, thread))
}

fn stop(handle: actix_web::dev::ServerHandle, thread: std::thread::JoinHandle<()>) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(handle.stop(false));
    let _ = thread.join();
}

fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

fn seed(base: &str) -> anyhow::Result<()> {
    client_runtime().block_on(async {
        let client = reqwest::Client::new();
        let res = client
            .put(format!("{base}/v1/departments/sales"))
            .bearer_auth(TOKEN)
            .json(&serde_json::json!({"name": "Sales", "key": true}))
            .send()
            .await?;
        anyhow::ensure!(res.status().is_success(), "department: {}", res.status());
        let mut csv = String::from("employee_id,name,department_code,hire_date,leave_date\n");
        for i in 0..EMPLOYEES {
            csv.push_str(&format!("E{i:04},Person {i},sales,2020-01-01,\n"));
        }
        let res = client
            .post(format!("{base}/v1/employees/import"))
            .bearer_auth(TOKEN)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await?;
        anyhow::ensure!(res.status().is_success(), "seed import: {}", res.status());
        Ok(())
    })
}

#[derive(Clone, Copy)]
enum Kind {
    Read,
    Write,
}

struct Measured {
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    failures: usize,
}

impl Measured {
    fn print(&self, what: &str, baseline: f64) {
        println!(
            "| {what} | {:.0} | {:.1} ms | {:.1} ms | {:.2}x |{}",
            self.per_second,
            self.p50_ms,
            self.p99_ms,
            self.per_second / baseline,
            if self.failures > 0 {
                format!(" ({} failed)", self.failures)
            } else {
                String::new()
            }
        );
    }
}

/// `connections` clients, each sending one request after another for `duration`: with
/// `wrk` when it is installed (it leaves more of the machine to the service), else with an
/// HTTP client in this process.
fn load(base: &str, connections: usize, duration: Duration, kind: Kind) -> Measured {
    match wrk(base, connections, duration, kind) {
        Some(m) => m,
        None => load_in_process(base, connections, duration, kind),
    }
}

/// The script wrk runs: random employees, each PUT an actual change.
const WRK_SCRIPT: &str = r#"
counter = 0
local auth = { ["Authorization"] = "Bearer bench-admin", ["Content-Type"] = "application/json" }
request = function()
  counter = counter + 1
  local id = string.format("E%04d", math.random(0, EMPLOYEES - 1))
  if KIND == "read" then
    return wrk.format("GET", "/v1/employees/" .. id, auth)
  end
  local body = string.format(
    '{"name":"Person %s v%d","department_code":"sales","hire_date":"2020-01-01"}', id, counter)
  return wrk.format("PUT", "/v1/employees/" .. id, auth, body)
end
"#;

fn wrk(base: &str, connections: usize, duration: Duration, kind: Kind) -> Option<Measured> {
    let dir = std::env::temp_dir().join(format!("bench-writes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let script = dir.join("load.lua");
    let kind_name = match kind {
        Kind::Read => "read",
        Kind::Write => "write",
    };
    let text = format!("EMPLOYEES = {EMPLOYEES}\nKIND = \"{kind_name}\"\n{WRK_SCRIPT}");
    std::fs::write(&script, text).ok()?;
    let out = Command::new("wrk")
        .args(["-t", "2", "-c", &connections.to_string()])
        .args(["-d", &format!("{}s", duration.as_secs()), "--latency", "-s"])
        .arg(&script)
        .arg(base)
        .output()
        .ok()?;
    let report = String::from_utf8_lossy(&out.stdout);
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
    Some(Measured {
        per_second: field("Requests/sec:")?.parse().ok()?,
        p50_ms: ms(field("50%")?)?,
        p99_ms: ms(field("99%")?)?,
        failures,
    })
}

fn load_in_process(base: &str, connections: usize, duration: Duration, kind: Kind) -> Measured {
    let runtime = client_runtime();
    let counter = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut latencies: Vec<f64> = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(connections)
            .build()
            .unwrap();
        let tasks = (0..connections).map(|worker| {
            let (client, base) = (client.clone(), base.to_owned());
            let (counter, failures) = (counter.clone(), failures.clone());
            tokio::spawn(async move {
                let mut mine = Vec::new();
                let deadline = Instant::now() + duration;
                let mut n = 0usize;
                while Instant::now() < deadline {
                    let id = (worker * 7919 + n * 104_729) % EMPLOYEES;
                    let url = format!("{base}/v1/employees/E{id:04}");
                    let sent = Instant::now();
                    let res = match kind {
                        Kind::Read => client.get(&url).bearer_auth(TOKEN).send().await,
                        Kind::Write => {
                            let body = serde_json::json!({"name": format!("Person {id} v{worker}.{n}"),
                                "department_code": "sales", "hire_date": "2020-01-01"});
                            client.put(&url).bearer_auth(TOKEN).json(&body).send().await
                        }
                    };
                    match res {
                        Ok(r) if r.status().is_success() => {
                            mine.push(sent.elapsed().as_secs_f64() * 1000.0);
                            counter.fetch_add(1, Ordering::Relaxed);
                        }
                        _ => {
                            failures.fetch_add(1, Ordering::Relaxed);
                        }
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
    Measured {
        per_second: counter.load(Ordering::Relaxed) as f64 / elapsed,
        p50_ms: at(0.50),
        p99_ms: at(0.99),
        failures: failures.load(Ordering::Relaxed),
    }
}

struct Imported {
    /// The request, upload and parse included.
    request: Duration,
    /// The time write transactions held the writer meanwhile, and how many there were.
    held_seconds: f64,
    transactions: u64,
}

/// The sum and count of the service's write-transaction durations so far.
async fn write_durations(client: &reqwest::Client, base: &str) -> anyhow::Result<(f64, u64)> {
    let text = client
        .get(format!("{base}/metrics"))
        .send()
        .await?
        .text()
        .await?;
    let value = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse::<f64>().ok())
            .ok_or_else(|| anyhow::anyhow!("no {name} in /metrics"))
    };
    Ok((
        value("continuity_db_write_transaction_seconds_sum")?,
        value("continuity_db_write_transaction_seconds_count")? as u64,
    ))
}

/// A CSV of `rows` new employees, imported in one request (nothing else writing): how
/// long it took and how long it held the writer.
fn import(base: &str, rows: usize) -> anyhow::Result<Imported> {
    let mut csv = String::from("employee_id,name,department_code,hire_date,leave_date\n");
    for i in 0..rows {
        csv.push_str(&format!("I{i:06},Imported {i},sales,2020-01-01,\n"));
    }
    client_runtime().block_on(async {
        let client = reqwest::Client::new();
        let (sum_before, count_before) = write_durations(&client, base).await?;
        let started = Instant::now();
        let res = client
            .post(format!("{base}/v1/employees/import"))
            .bearer_auth(TOKEN)
            .header("content-type", "text/csv")
            .body(csv)
            .timeout(Duration::from_secs(300))
            .send()
            .await?;
        anyhow::ensure!(res.status().is_success(), "import: {}", res.status());
        let request = started.elapsed();
        let (sum, count) = write_durations(&client, base).await?;
        Ok(Imported {
            request,
            held_seconds: sum - sum_before,
            transactions: count - count_before,
        })
    })
}
