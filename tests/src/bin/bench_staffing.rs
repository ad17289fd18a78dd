//! `bench-staffing [--postgres URL] [--seconds N] [--senders N] [--connections N]`: the
//! signed HR webhook and the coverage read, against baselines measured in the same run.
//!
//! For SQLite (always; `synchronous=full`, WAL) and PostgreSQL (when a server URL is given):
//! - signed `employee.hired` events (`POST /v1/hr/events`, Standard Webhooks signature,
//!   each with its own `webhook-id`, each creating an employee: stored and applied in one
//!   transaction before the 202) from 32 concurrent senders, against the raw commit rate of
//!   the same database (SQLite: one-row INSERT transactions on one connection; PostgreSQL:
//!   `pgbench` one-row INSERT with as many clients as the service's pool);
//! - `GET /v1/projects/{id}/coverage` of a project of 200 members over 20 departments from
//!   64 connections, against `GET /v1/employees/{id}` from 64 connections.
//!
//! Targets: at least 0.5x the baseline, p99 under 25 ms.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark fails loudly

use std::fmt::Write as _;
use std::time::Duration;

use chrono::{Days, Utc};
use continuity_shared::testing::TestDatabase;
use continuity_tests::bench::{
    Measured, TOKEN, client_runtime, get_json, hired, hired_deliveries, hr_secret, load_in_process,
    pgbench_insert, sign, sqlite_baseline, start_staffing, stop, wrk_presigned,
};

/// The service's database pool, and so `pgbench`'s clients.
const POOL: u32 = 8;
/// Members of the coverage project, spread over `DEPARTMENTS` departments.
const MEMBERS: usize = 200;
const DEPARTMENTS: usize = 20;
const RATIO_TARGET: f64 = 0.5;
const P99_TARGET_MS: f64 = 25.0;

fn main() -> anyhow::Result<()> {
    let arg = continuity_tests::bench::arg;
    let postgres = arg("--postgres");
    let seconds: u64 = arg("--seconds").map_or(Ok(10), |n| n.parse())?;
    let senders: usize = arg("--senders").map_or(Ok(32), |n| n.parse())?;
    let connections: usize = arg("--connections").map_or(Ok(64), |n| n.parse())?;
    anyhow::ensure!(
        seconds < 240,
        "pre-signed events must stay within the 300 s tolerance"
    );
    let run = Run {
        seconds,
        senders,
        connections,
    };

    let sqlite = TestDatabase::sqlite();
    let baseline = sqlite_baseline(&sqlite)?;
    let figures = run.measure(&sqlite)?;
    figures.print(
        "SQLite (synchronous=full)",
        "one-row INSERT commits, one connection (baseline)",
        baseline,
        &run,
    );

    if let Some(url) = postgres {
        let baseline = pgbench_insert(&url, POOL, seconds)?;
        let db = TestDatabase::postgres(&url);
        let figures = run.measure(&db)?;
        figures.print(
            &format!("PostgreSQL, pool of {POOL}"),
            &format!("pgbench one-row INSERT, {POOL} clients (baseline)"),
            baseline,
            &run,
        );
    }
    Ok(())
}

struct Run {
    seconds: u64,
    senders: usize,
    connections: usize,
}

struct Figures {
    hr: Measured,
    by_id: Measured,
    coverage: Measured,
    /// Deliveries that reused a pre-signed `webhook-id` (wrk ran out of them).
    repeats: usize,
}

impl Run {
    fn duration(&self) -> Duration {
        Duration::from_secs(self.seconds)
    }

    /// Staffing on `db`: the coverage project seeded, then the HR load, then the reads.
    fn measure(&self, db: &TestDatabase) -> anyhow::Result<Figures> {
        let (base, handle, thread) = start_staffing(
            db,
            &[
                ("CONTINUITY_HR_WEBHOOK_SECRET", hr_secret()),
                ("CONTINUITY_DATABASE__POOL_SIZE", POOL.to_string()),
            ],
        )?;
        let project = seed(&base)?;
        let (hr, repeats) = hr_load(&base, self.senders, self.duration())?;
        let by_id = reads(&base, &project, self.connections, self.duration(), false);
        let coverage = reads(&base, &project, self.connections, self.duration(), true);
        stop(handle, thread);
        Ok(Figures {
            hr,
            by_id,
            coverage,
            repeats,
        })
    }
}

impl Figures {
    fn print(&self, database: &str, baseline_name: &str, baseline: f64, run: &Run) {
        let head = |title: String| {
            println!("\n### {title}\n");
            println!(
                "| measure | per second | p50 | p99 | ratio to baseline | target (≥ {RATIO_TARGET}x, p99 < {P99_TARGET_MS} ms) |"
            );
            println!("| --- | --- | --- | --- | --- | --- |");
        };
        println!("\n## {database}, {} s per measure", run.seconds);
        head(format!("Signed HR events, {} senders", run.senders));
        println!("| {baseline_name} | {baseline:.0} | | | 1.00x | |");
        row(
            "POST /v1/hr/events (signed employee.hired, stored and applied)",
            &self.hr,
            baseline,
        );
        if self.repeats > 0 {
            println!(
                "\n({} deliveries repeated a webhook-id: too few pre-signed events)",
                self.repeats
            );
        }
        head(format!(
            "Coverage of {MEMBERS} members over {DEPARTMENTS} departments, {} connections",
            run.connections
        ));
        let base = self.by_id.per_second;
        println!(
            "| GET /v1/employees/{{id}} (baseline) | {base:.0} | {:.1} ms | {:.1} ms | 1.00x | |{}",
            self.by_id.p50_ms,
            self.by_id.p99_ms,
            self.by_id.failed()
        );
        row("GET /v1/projects/{id}/coverage", &self.coverage, base);
    }
}

fn row(what: &str, m: &Measured, baseline: f64) {
    let ratio = m.per_second / baseline;
    let mut missed = Vec::new();
    if ratio < RATIO_TARGET {
        missed.push(format!("ratio {ratio:.2}x"));
    }
    if m.p99_ms >= P99_TARGET_MS || m.p99_ms.is_nan() {
        missed.push(format!("p99 {:.1} ms", m.p99_ms));
    }
    if m.failures > 0 {
        missed.push(format!("{} failed", m.failures));
    }
    let verdict = if missed.is_empty() {
        "met".to_owned()
    } else {
        format!("missed ({})", missed.join(", "))
    };
    println!(
        "| {what} | {:.0} | {:.1} ms | {:.1} ms | {ratio:.2}x | {verdict} |",
        m.per_second, m.p50_ms, m.p99_ms
    );
}

/// 20 departments, 200 employees in one CSV import (some leaving, some settling in), a
/// project with all of them as members; one signed HR event to check the webhook applies.
/// Returns the project's id.
fn seed(base: &str) -> anyhow::Result<String> {
    client_runtime().block_on(async {
        let client = reqwest::Client::new();
        for d in 1..=DEPARTMENTS {
            let res = client
                .put(format!("{base}/v1/departments/dept_{d:02}"))
                .bearer_auth(TOKEN)
                .json(&serde_json::json!({"name": format!("Department {d}"), "key": d % 4 == 1}))
                .send()
                .await?;
            anyhow::ensure!(res.status().is_success(), "department: {}", res.status());
        }
        let today = Utc::now().date_naive();
        let recent = today - Days::new(20);
        let leaving = today + Days::new(45);
        let mut csv = String::from("employee_id,name,department_code,hire_date,leave_date\n");
        for i in 0..MEMBERS {
            let department = i % DEPARTMENTS + 1;
            let hire = if i % 10 == 3 {
                recent.to_string()
            } else {
                "2019-03-01".to_owned()
            };
            let leave = if i % 10 == 7 {
                leaving.to_string()
            } else {
                String::new()
            };
            writeln!(
                csv,
                "C{i:03},Member {i},dept_{department:02},{hire},{leave}"
            )?;
        }
        let res = client
            .post(format!("{base}/v1/employees/import"))
            .bearer_auth(TOKEN)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await?;
        anyhow::ensure!(res.status().is_success(), "seed import: {}", res.status());
        let res = client
            .post(format!("{base}/v1/projects"))
            .bearer_auth(TOKEN)
            .json(
                &serde_json::json!({"name": "Coverage bench", "status": "in_progress",
                "planned_go_live": "2027-06-01"}),
            )
            .send()
            .await?;
        anyhow::ensure!(res.status().is_success(), "project: {}", res.status());
        let project: serde_json::Value = res.json().await?;
        let project = project["project_id"].as_str().unwrap().to_owned();
        for i in 0..MEMBERS {
            let res = client
                .put(format!("{base}/v1/projects/{project}/members/C{i:03}"))
                .bearer_auth(TOKEN)
                .json(&serde_json::json!({"role": "member"}))
                .send()
                .await?;
            anyhow::ensure!(res.status().is_success(), "member: {}", res.status());
        }
        let coverage = get_json(&client, base, &format!("/v1/projects/{project}/coverage")).await?;
        let departments = coverage["departments"].as_array().map_or(0, Vec::len);
        anyhow::ensure!(
            departments >= DEPARTMENTS,
            "coverage shows {departments} departments"
        );

        let body = hired(usize::MAX);
        let ts = Utc::now().timestamp();
        let res = client
            .post(format!("{base}/v1/hr/events"))
            .header("content-type", "application/json")
            .header("webhook-id", "msg_bench_check")
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", sign("msg_bench_check", ts, &body))
            .body(body)
            .send()
            .await?;
        anyhow::ensure!(res.status().as_u16() == 202, "HR event: {}", res.status());
        let event: serde_json::Value = res.json().await?;
        anyhow::ensure!(event["status"] == "applied", "HR event: {event}");
        Ok(project)
    })
}

/// Signed deliveries from `senders` senders: pre-signed for wrk (each thread its own
/// share, every answer checked to be the 202 of a fresh event), signed as sent otherwise.
/// Returns the measure and how many deliveries repeated a `webhook-id`.
fn hr_load(base: &str, senders: usize, duration: Duration) -> anyhow::Result<(Measured, usize)> {
    let count = continuity_tests::bench::deliveries_for(duration.as_secs());
    let requests = hired_deliveries(count, Utc::now().timestamp());
    let replayed = wrk_presigned("bench-staffing", base, senders, duration, &requests, 202)?;
    if let Some(r) = replayed {
        if let Some(sample) = r.sample {
            eprintln!("an HR event was not answered 202: {sample}");
        }
        return Ok((r.measured, r.repeats));
    }
    let base = base.to_owned();
    let m = load_in_process(senders, duration, move |client, worker, n| {
        let n = worker * 10_000_000 + n;
        let id = format!("msg_bench_{n}");
        let body = hired(n);
        let ts = Utc::now().timestamp();
        client
            .post(format!("{base}/v1/hr/events"))
            .header("content-type", "application/json")
            .header("webhook-id", id.as_str())
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", sign(&id, ts, &body))
            .body(body)
    });
    Ok((m, 0))
}

/// wrk's reader: the project's coverage, or a random member by id.
const READ_SCRIPT: &str = r#"
local auth = { ["Authorization"] = "Bearer bench-admin" }
request = function()
  if KIND == "coverage" then
    return wrk.format("GET", "/v1/projects/" .. PROJECT .. "/coverage", auth)
  end
  return wrk.format("GET", string.format("/v1/employees/C%03d", math.random(0, MEMBERS - 1)), auth)
end
"#;

fn reads(
    base: &str,
    project: &str,
    connections: usize,
    duration: Duration,
    coverage: bool,
) -> Measured {
    let kind = if coverage { "coverage" } else { "employee" };
    let script =
        format!("KIND = \"{kind}\"\nPROJECT = \"{project}\"\nMEMBERS = {MEMBERS}\n{READ_SCRIPT}");
    if let Some(m) =
        continuity_tests::bench::wrk_reads("bench-staffing", base, connections, duration, &script)
    {
        return m;
    }
    let (base, project) = (base.to_owned(), project.to_owned());
    load_in_process(connections, duration, move |client, worker, n| {
        let url = if coverage {
            format!("{base}/v1/projects/{project}/coverage")
        } else {
            let id = (worker * 7919 + n * 104_729) % MEMBERS;
            format!("{base}/v1/employees/C{id:03}")
        };
        client.get(url).bearer_auth(TOKEN)
    })
}
