//! `bench-events [--postgres URL] [--events N]`: how fast events travel between services.
//!
//! For each database (SQLite always; PostgreSQL when a server URL is given, or
//! CONTINUITY_TEST_POSTGRES_URL is set) it starts the four services in this process on
//! loopback, each on a fresh database, and measures:
//! - the baseline: single-row inserts, one transaction each, on one raw connection;
//! - throughput: N employee events queued at staffing while process-change is not yet
//!   started, then the rate at which process-change applies them once it is;
//! - latency: single PUTs at staffing, one after another, from the commit at staffing
//!   (outbox timestamp) to the commit at process-change (inbox timestamp), p50 and p95.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark fails loudly

use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use continuity_shared::db::Db;
use continuity_shared::events::{inbox, outbox};
use continuity_shared::server::Application;
use continuity_shared::service::ServiceDef;
use continuity_shared::settings::DatabaseUrl;
use continuity_shared::settings::Settings;
use continuity_shared::testing::TestDatabase;
use continuity_tests::free_port;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

const TOKEN: &str = "bench-admin";

struct Row {
    backend: &'static str,
    baseline_per_s: f64,
    delivered_per_s: f64,
    p50_ms: f64,
    p95_ms: f64,
    events: usize,
}

fn main() -> anyhow::Result<()> {
    let arg = continuity_tests::bench::arg;
    let postgres = arg("--postgres").or_else(|| std::env::var("CONTINUITY_TEST_POSTGRES_URL").ok());
    let events: usize = arg("--events").map_or(Ok(5000), |n| n.parse())?;
    actix_web::rt::System::new().block_on(async move {
        let mut rows = vec![run("sqlite", TestDatabase::sqlite, events).await?];
        if let Some(url) = postgres {
            rows.push(run("postgresql", || TestDatabase::postgres(&url), events).await?);
        }
        println!();
        println!("| database | single-row inserts/s (baseline) | events delivered/s | ratio | latency p50 | latency p95 |");
        println!("| --- | --- | --- | --- | --- | --- |");
        for r in rows {
            println!(
                "| {} | {:.0} | {:.0} ({} events) | {:.2}x | {:.1} ms | {:.1} ms |",
                r.backend,
                r.baseline_per_s,
                r.delivered_per_s,
                r.events,
                r.delivered_per_s / r.baseline_per_s,
                r.p50_ms,
                r.p95_ms
            );
        }
        Ok(())
    })
}

async fn run(
    backend: &'static str,
    fresh: impl Fn() -> TestDatabase,
    events: usize,
) -> anyhow::Result<Row> {
    eprintln!("[{backend}] baseline");
    let baseline_per_s = baseline(&fresh()).await?;

    let defs: [&ServiceDef; 4] = [
        &staffing::SERVICE,
        &training_record::SERVICE,
        &process_change::SERVICE,
        &scheduling::SERVICE,
    ];
    let dbs: Vec<TestDatabase> = defs.iter().map(|_| fresh()).collect();
    let dir = fresh();
    let mut env = vec![
        (
            "CONTINUITY_DATA_DIR".to_string(),
            dir.dir().display().to_string(),
        ),
        ("CONTINUITY_ADMIN_TOKEN".into(), TOKEN.into()),
        ("CONTINUITY_SERVICE_TOKEN".into(), "bench-service".into()),
        ("CONTINUITY_LOG__LEVEL".into(), "error".into()),
        (
            "CONTINUITY_HTTP__BODY_LIMIT_BYTES".into(),
            (64 << 20).to_string(),
        ),
    ];
    for (def, db) in defs.iter().zip(&dbs) {
        let section = def.name.replace('-', "_").to_uppercase();
        env.push((
            format!("CONTINUITY_{section}__PORT"),
            free_port().to_string(),
        ));
        env.push((
            format!("CONTINUITY_{section}__DATABASE_URL"),
            db.url.clone(),
        ));
    }
    let suite: String = defs.iter().map(|d| d.default_section()).collect();
    let settings = Settings::load_from(&suite, None, env)?;
    let mut handles = Vec::new();
    let mut staffing_db = None;
    for def in defs.iter().filter(|d| d.name != "process-change") {
        let app = Application::build(def, &settings).await?;
        if def.name == "staffing" {
            staffing_db = Some(app.db().clone());
        }
        handles.push(app.handle());
        actix_web::rt::spawn(app.run());
    }
    let staffing_db = staffing_db.expect("staffing started");
    let staffing = staffing::SERVICE.service_name()?;
    let base = settings
        .service(&staffing)
        .base_url()
        .expect("staffing url");
    let client = reqwest::Client::new();
    let put = |path: String, body: serde_json::Value| {
        client
            .put(format!("{base}{path}"))
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
    };
    put(
        "/v1/departments/sales".into(),
        serde_json::json!({"name": "Sales", "key": true}),
    )
    .await?;

    eprintln!("[{backend}] queueing {events} events while process-change is down");
    let mut csv = String::from("employee_id,name,department_code,hire_date,leave_date\n");
    for i in 0..events {
        csv.push_str(&format!("B{i:06},Person {i},sales,2020-01-01,\n"));
    }
    let res = client
        .post(format!("{base}/v1/employees/import"))
        .bearer_auth(TOKEN)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await?;
    anyhow::ensure!(res.status().is_success(), "import failed: {}", res.status());

    let app = Application::build(&process_change::SERVICE, &settings).await?;
    let pc_db = app.db().clone();
    handles.push(app.handle());
    let started = Instant::now();
    actix_web::rt::spawn(app.run());
    let target = events as i64 + 1;
    while inbox_count(&pc_db).await? < target {
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(600),
            "delivery took over 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let delivered_per_s = events as f64 / started.elapsed().as_secs_f64();

    eprintln!("[{backend}] latency of single changes");
    let mut ids = Vec::new();
    for i in 0..300 {
        let res = put(
            format!("/v1/employees/L{i:04}"),
            serde_json::json!({"name": format!("Late {i}"), "department_code": "sales", "hire_date": "2020-01-01"}),
        )
        .await?;
        anyhow::ensure!(res.status().is_success(), "PUT failed: {}", res.status());
        ids.push(format!("employee/L{i:04}"));
    }
    let latencies = latencies(&staffing_db, &pc_db, ids).await?;
    for h in handles {
        h.stop(false).await;
    }
    Ok(Row {
        backend,
        baseline_per_s,
        delivered_per_s,
        p50_ms: percentile(&latencies, 0.50),
        p95_ms: percentile(&latencies, 0.95),
        events,
    })
}

/// One-row INSERT transactions on one raw connection to a scratch database of the same
/// kind (for SQLite in the same data directory, WAL, `synchronous=full`): what the
/// database allows row by row.
async fn baseline(scratch: &TestDatabase) -> anyhow::Result<f64> {
    let url = DatabaseUrl::parse(&scratch.url).map_err(anyhow::Error::msg)?;
    tokio::task::spawn_blocking(move || -> anyhow::Result<f64> {
        let n = 2000;
        let statement =
            |i: i32| format!("INSERT INTO bench_rows (id, payload) VALUES ({i}, 'row {i}')");
        let started;
        match url {
            DatabaseUrl::Sqlite(path) => {
                let mut c = diesel::SqliteConnection::establish(&path.to_string_lossy())?;
                c.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     CREATE TABLE bench_rows (id BIGINT PRIMARY KEY, payload TEXT NOT NULL);",
                )?;
                started = Instant::now();
                for i in 0..n {
                    c.batch_execute(&format!("BEGIN; {}; COMMIT;", statement(i)))?;
                }
            }
            DatabaseUrl::Postgres(url) => {
                let mut c = diesel::PgConnection::establish(&url)?;
                c.batch_execute(
                    "CREATE TABLE bench_rows (id BIGINT PRIMARY KEY, payload TEXT NOT NULL)",
                )?;
                started = Instant::now();
                for i in 0..n {
                    c.batch_execute(&statement(i))?;
                }
            }
        }
        Ok(f64::from(n) / started.elapsed().as_secs_f64())
    })
    .await?
}

async fn inbox_count(db: &Db) -> anyhow::Result<i64> {
    db.read(inbox::count_all)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// Milliseconds from staffing's outbox row to process-change's inbox row, per subject.
async fn latencies(staffing: &Db, pc: &Db, subjects: Vec<String>) -> anyhow::Result<Vec<f64>> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let wanted = subjects.len();
    let produced: Vec<(String, NaiveDateTime)> = {
        let subjects: Vec<String> = subjects.clone();
        staffing
            .read(move |c| outbox::written_at(c, &subjects))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
    };
    loop {
        let subjects = subjects.clone();
        let got: Vec<(String, NaiveDateTime)> = pc
            .read(move |c| inbox::received_at(c, &subjects))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if got.len() >= wanted || Instant::now() > deadline {
            let mut out: Vec<f64> = produced
                .iter()
                .filter_map(|(id, at)| {
                    let (_, received) = got.iter().find(|(g, _)| g == id)?;
                    Some((*received - *at).num_microseconds()? as f64 / 1000.0)
                })
                .collect();
            out.sort_by(f64::total_cmp);
            anyhow::ensure!(
                out.len() == wanted,
                "only {} of {wanted} events arrived",
                out.len()
            );
            return Ok(out);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i]
}
