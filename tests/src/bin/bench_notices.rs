//! `bench-notices [--postgres URL] [--people N] [--seconds S] [--connections C]`:
//!
//! - how long process-change takes to publish a liaison notice to every active employee of
//!   ten departments (5,000 by default): one request, one transaction that publishes the
//!   change and writes one pending acknowledgment per person in multi-row inserts. The
//!   roster copy is fed as staffing would feed it, through `POST /v1/events`. Target: under
//!   1 s on SQLite and PostgreSQL.
//! - `GET /v1/employees/{id}/pending-acknowledgments` from 64 connections (each person has
//!   three pending notices), against the suite's own read of one employee by id, staffing's
//!   `GET /v1/employees/{id}` from 64 connections, on a database of the same kind holding
//!   the same people, in the same run. Target: at least 0.5x, p99 under 25 ms. Load from
//!   `wrk` when installed, else from an HTTP client in this process.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark fails loudly

use std::time::{Duration, Instant};

use continuity_shared::testing::TestDatabase;
use continuity_tests::bench::{
    Measured, TOKEN, client_runtime, feed_roster, import_people, load_in_process, reads_by_id,
    settle, start_service, start_staffing, stop, wrk,
};
use serde_json::{Value, json};

const DEPARTMENTS: usize = 10;
/// Notices each person is asked to acknowledge when their pending list is read.
const NOTICES: usize = 3;
const RATIO_TARGET: f64 = 0.5;
const P99_TARGET_MS: f64 = 25.0;

fn main() -> anyhow::Result<()> {
    let arg = continuity_tests::bench::arg;
    let people: usize = arg("--people").map_or(Ok(5000), |n| n.parse())?;
    let seconds: u64 = arg("--seconds").map_or(Ok(5), |n| n.parse())?;
    let connections: usize = arg("--connections").map_or(Ok(64), |n| n.parse())?;
    let duration = Duration::from_secs(seconds);
    let mut runs = vec![(
        "SQLite (synchronous=full)",
        TestDatabase::sqlite(),
        TestDatabase::sqlite(),
    )];
    if let Some(url) = arg("--postgres") {
        runs.push((
            "PostgreSQL",
            TestDatabase::postgres(&url),
            TestDatabase::postgres(&url),
        ));
    }
    let mut publishing = Vec::new();
    let mut reading = Vec::new();
    for (name, db, staffing_db) in runs {
        let (base, handle, thread) = start_service(&process_change::SERVICE, &db, &[])?;
        let (project, asked, took) = client_runtime().block_on(publish_to(&base, people))?;
        let verdict = if took < Duration::from_secs(1) {
            "met (< 1 s)"
        } else {
            "missed (< 1 s)"
        };
        publishing.push(format!(
            "| {name} | {asked} | {:.0} ms | {verdict} |",
            took.as_secs_f64() * 1000.0
        ));

        // The same people at staffing, for the read by id of the same run.
        let (staffing, staffing_handle, staffing_thread) = start_staffing(&staffing_db, &[])?;
        client_runtime().block_on(async {
            more_notices(&base, &project, NOTICES - 1).await?;
            import_people(&staffing, people, DEPARTMENTS).await
        })?;
        settle(&db)?;
        settle(&staffing_db)?;
        let by_id = reads_by_id(&staffing, people, connections, duration);
        let pending = pending_reads(&base, people, connections, duration);
        reading.push(row(
            name,
            "GET /v1/employees/{id} (staffing, baseline)",
            &by_id,
            None,
        ));
        reading.push(row(
            name,
            &format!("GET /v1/employees/{{id}}/pending-acknowledgments ({NOTICES} pending)"),
            &pending,
            Some(by_id.per_second),
        ));
        stop(staffing_handle, staffing_thread);
        stop(handle, thread);
    }
    println!("| database | people asked | publish (one request) | target |");
    println!("| --- | --- | --- | --- |");
    for line in publishing {
        println!("{line}");
    }
    println!(
        "\n| database | read, {connections} connections, {seconds} s | per second | p50 | p99 | ratio | target (≥ {RATIO_TARGET}x, p99 < {P99_TARGET_MS} ms) |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for line in reading {
        println!("{line}");
    }
    Ok(())
}

/// One table row; the verdict when `baseline` is given.
fn row(database: &str, what: &str, m: &Measured, baseline: Option<f64>) -> String {
    let target = baseline.map(|_| (RATIO_TARGET, P99_TARGET_MS));
    let row = m.row(what, baseline.unwrap_or(m.per_second), target);
    format!("| {database} {row}")
}

const READ_SCRIPT: &str = r#"
local auth = { ["Authorization"] = "Bearer bench-admin" }
request = function()
  local id = string.format("E%05d", math.random(0, PEOPLE - 1))
  return wrk.format("GET", "/v1/employees/" .. id .. "/pending-acknowledgments", auth)
end
"#;

/// Reads of random people's pending acknowledgments at process-change.
fn pending_reads(base: &str, people: usize, connections: usize, duration: Duration) -> Measured {
    let script = format!("PEOPLE = {people}\n{READ_SCRIPT}");
    if let Some(m) = wrk("bench-notices", base, connections, duration, &script) {
        return m;
    }
    let base = base.to_owned();
    load_in_process(connections, duration, move |client, worker, n| {
        let id = (worker * 7919 + n * 104_729) % people;
        client
            .get(format!(
                "{base}/v1/employees/E{id:05}/pending-acknowledgments"
            ))
            .bearer_auth(TOKEN)
    })
}

/// Feeds the roster copy, records and approves one change for the ten departments, bundles
/// it and times the publication; the project, how many were asked to acknowledge, and how
/// long it took.
async fn publish_to(base: &str, people: usize) -> anyhow::Result<(String, u64, Duration)> {
    let project = feed_roster(base, people, DEPARTMENTS).await?;
    let notice = approved_notice(base, &project, "Approve discount").await?;
    let started = Instant::now();
    let published = post(base, format!("/v1/notices/{notice}/publish"), None).await?;
    let took = started.elapsed();
    let asked = published["acknowledgments"]["pending"]
        .as_u64()
        .unwrap_or(0);
    anyhow::ensure!(asked == people as u64, "asked {asked} of {people}");
    Ok((project, asked, took))
}

/// POST as admin; the answer's body, or an error naming the request.
async fn post(base: &str, path: String, body: Option<Value>) -> anyhow::Result<Value> {
    let req = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .bearer_auth(TOKEN);
    let req = match body {
        Some(b) => req.json(&b),
        None => req,
    };
    let res = req.send().await?;
    let status = res.status();
    let body: Value = res.json().await?;
    anyhow::ensure!(status.is_success(), "POST {path}: {status} {body}");
    Ok(body)
}

/// A draft notice of one approved change of `step` for the ten departments; its id.
async fn approved_notice(base: &str, project: &str, step: &str) -> anyhow::Result<String> {
    let codes: Vec<String> = (0..DEPARTMENTS).map(|d| format!("dept{d}")).collect();
    let change = post(
        base,
        format!("/v1/projects/{project}/process-changes"),
        Some(json!({"process": "Order to cash", "step": step,
            "before": "On paper", "after": "In the CRM", "reason": "One record",
            "departments": codes, "effective_date": "2026-12-15"})),
    )
    .await?;
    let change = change["change_id"].as_str().unwrap_or_default().to_owned();
    post(base, format!("/v1/process-changes/{change}/approve"), None).await?;
    let notice = post(
        base,
        format!("/v1/projects/{project}/notices"),
        Some(json!({"title": step, "change_ids": [change]})),
    )
    .await?;
    Ok(notice["notice_id"].as_str().unwrap_or_default().to_owned())
}

/// `n` more notices to everyone (other steps, so none supersedes another).
async fn more_notices(base: &str, project: &str, n: usize) -> anyhow::Result<()> {
    for k in 0..n {
        let notice = approved_notice(base, project, &format!("Step {k}")).await?;
        post(base, format!("/v1/notices/{notice}/publish"), None).await?;
    }
    Ok(())
}
