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

use std::time::{Duration, Instant};

use continuity_shared::testing::TestDatabase;
use continuity_tests::bench::{
    Measured, TOKEN, client_runtime, pgbench, sqlite_baseline, start_staffing, stop,
};

const EMPLOYEES: usize = 1000;

fn main() -> anyhow::Result<()> {
    let arg = continuity_tests::bench::arg;
    let postgres = arg("--postgres");
    let seconds: u64 = arg("--seconds").map_or(Ok(10), |n| n.parse())?;
    let connections: usize = arg("--connections").map_or(Ok(64), |n| n.parse())?;
    let duration = Duration::from_secs(seconds);

    let sqlite = TestDatabase::sqlite();
    let baseline = sqlite_baseline(&sqlite)?;
    let (base, handle, runtime) = start_staffing(&sqlite, &[])?;
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
        let (base, handle, runtime) = start_staffing(&db, &[])?;
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

/// `connections` clients, each sending one request after another for `duration`: with
/// `wrk` when it is installed (it leaves more of the machine to the service), else with an
/// HTTP client in this process.
fn load(base: &str, connections: usize, duration: Duration, kind: Kind) -> Measured {
    match wrk(base, connections, duration, kind) {
        Some(m) => m,
        None => in_process(base, connections, duration, kind),
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
    let kind_name = match kind {
        Kind::Read => "read",
        Kind::Write => "write",
    };
    let text = format!("EMPLOYEES = {EMPLOYEES}\nKIND = \"{kind_name}\"\n{WRK_SCRIPT}");
    match kind {
        Kind::Read => {
            continuity_tests::bench::wrk_reads("bench-writes", base, connections, duration, &text)
        }
        Kind::Write => {
            continuity_tests::bench::wrk("bench-writes", base, connections, duration, &text)
        }
    }
}

fn in_process(base: &str, connections: usize, duration: Duration, kind: Kind) -> Measured {
    let base = base.to_owned();
    continuity_tests::bench::load_in_process(connections, duration, move |client, worker, n| {
        let id = (worker * 7919 + n * 104_729) % EMPLOYEES;
        let url = format!("{base}/v1/employees/E{id:04}");
        match kind {
            Kind::Read => client.get(&url).bearer_auth(TOKEN),
            Kind::Write => {
                let body = serde_json::json!({"name": format!("Person {id} v{worker}.{n}"),
                    "department_code": "sales", "hire_date": "2020-01-01"});
                client.put(&url).bearer_auth(TOKEN).json(&body)
            }
        }
    })
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
