//! `bench-training [--postgres URL] [--people N] [--seconds S] [--connections C]`:
//!
//! Training-record alone (its roster copy fed through `POST /v1/events` as staffing feeds
//! it), a project of 40 required sessions for ten departments, each with a one-hour
//! recording, and 2,000 people by default:
//!
//! - progress reports, the heaviest steady write (every viewer reports every few seconds):
//!   `PUT /v1/materials/{id}/progress/{employee}` of random people and recordings from 64
//!   connections, each a new ten-second interval played, against the raw database in the
//!   same run: one-row INSERT commits on one SQLite connection (WAL, `synchronous=full`),
//!   or `pgbench`'s one-row INSERT with 8 clients (the pool's size). Targets: 1.0x on
//!   SQLite, 0.3x on PostgreSQL, p99 under 25 ms.
//! - catch-up plans of that 40-session project, `GET /v1/projects/{id}/catch-up/{employee}`
//!   of random people from 64 connections, against the suite's own read of one employee by
//!   id (staffing's `GET /v1/employees/{id}` of the same people on a database of the same
//!   kind) in the same run. Target: at least 0.5x, p99 under 25 ms.
//!
//! Load from `wrk` when installed, else from an HTTP client in this process.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark fails loudly

use std::time::Duration;

use continuity_shared::testing::TestDatabase;
use continuity_tests::bench::{
    Measured, TOKEN, client_runtime, feed_roster, import_people, load_in_process, pgbench_insert,
    reads_by_id, settle, sqlite_baseline, start_service, start_staffing, stop, wrk, wrk_reads,
};
use serde_json::{Value, json};

const DEPARTMENTS: usize = 10;
const SESSIONS: usize = 40;
const RECORDING_SECONDS: u32 = 3600;
const P99_TARGET_MS: f64 = 25.0;

fn main() -> anyhow::Result<()> {
    let arg = continuity_tests::bench::arg;
    let people: usize = arg("--people").map_or(Ok(2000), |n| n.parse())?;
    let seconds: u64 = arg("--seconds").map_or(Ok(5), |n| n.parse())?;
    let connections: usize = arg("--connections").map_or(Ok(64), |n| n.parse())?;
    let duration = Duration::from_secs(seconds);
    let postgres = arg("--postgres");
    let mut runs = vec![(
        "SQLite (synchronous=full)",
        TestDatabase::sqlite(),
        TestDatabase::sqlite(),
    )];
    if let Some(url) = &postgres {
        runs.push((
            "PostgreSQL",
            TestDatabase::postgres(url),
            TestDatabase::postgres(url),
        ));
    }
    let mut rows = Vec::new();
    for (name, db, staffing_db) in runs {
        let (base, handle, thread) = start_service(&training_record::SERVICE, &db, &[])?;
        let (project, materials) = client_runtime().block_on(seed(&base, people))?;
        client_runtime().block_on(earlier_progress(&base, &materials, people))?;
        let (staffing, staffing_handle, staffing_thread) = start_staffing(&staffing_db, &[])?;
        client_runtime().block_on(import_people(&staffing, people, DEPARTMENTS))?;
        settle(&db)?;
        settle(&staffing_db)?;

        let (write_baseline, write_label, write_target) = match &postgres {
            Some(url) if name == "PostgreSQL" => (
                pgbench_insert(url, 8, seconds)?,
                "pgbench one-row INSERT, 8 clients (baseline)",
                0.3,
            ),
            _ => (
                sqlite_baseline(&db)?,
                "one-row INSERT commits, one connection (baseline)",
                1.0,
            ),
        };
        let progress = progress_reports(&base, &materials, people, connections, duration);
        let by_id = reads_by_id(&staffing, people, connections, duration);
        let plans = catch_up_reads(&base, &project, people, connections, duration);
        rows.push(format!(
            "| {name} | {write_label} | {write_baseline:.0} | | | 1.00x | |"
        ));
        rows.push(format!(
            "| {name} {}",
            progress.row(
                "PUT /v1/materials/{id}/progress/{employee}",
                write_baseline,
                Some((write_target, P99_TARGET_MS))
            )
        ));
        rows.push(format!(
            "| {name} {}",
            by_id.row(
                "GET /v1/employees/{id} (staffing, baseline)",
                by_id.per_second,
                None
            )
        ));
        rows.push(format!(
            "| {name} {}",
            plans.row(
                &format!("GET /v1/projects/{{id}}/catch-up/{{employee}} ({SESSIONS} sessions)"),
                by_id.per_second,
                Some((0.5, P99_TARGET_MS))
            )
        ));
        stop(staffing_handle, staffing_thread);
        stop(handle, thread);
    }
    println!(
        "| database | {connections} connections, {seconds} s | per second | p50 | p99 | ratio | target |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for row in rows {
        println!("{row}");
    }
    Ok(())
}

/// The roster copy, the project and its sessions with one recording each; the project's
/// id and the recordings' ids.
async fn seed(base: &str, people: usize) -> anyhow::Result<(String, Vec<String>)> {
    let client = reqwest::Client::new();
    let project = feed_roster(base, people, DEPARTMENTS).await?;
    let codes: Vec<String> = (0..DEPARTMENTS).map(|d| format!("dept{d}")).collect();
    let mut materials = Vec::new();
    for k in 0..SESSIONS {
        let res = client
            .post(format!("{base}/v1/projects/{project}/training-sessions"))
            .bearer_auth(TOKEN)
            .json(&json!({"title": format!("Session {k}"), "module": "crm",
                "held_on": "2026-11-02", "trainer": "Wang", "duration_minutes": 60,
                "departments": codes}))
            .send()
            .await?;
        let session: Value = res.json().await?;
        let session = session["session_id"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("no session: {session}"))?
            .to_owned();
        let res = client
            .post(format!(
                "{base}/v1/training-sessions/{session}/materials?filename=rec.webm&kind=video&duration_seconds={RECORDING_SECONDS}"
            ))
            .bearer_auth(TOKEN)
            .header("content-type", "video/webm")
            .body(vec![0u8; 1024])
            .send()
            .await?;
        let material: Value = res.json().await?;
        materials.push(
            material["material_id"]
                .as_str()
                .ok_or_else(|| anyhow::anyhow!("no material: {material}"))?
                .to_owned(),
        );
    }
    Ok((project, materials))
}

/// What a project under way has: everyone has watched a little of one recording. Without
/// it the progress table would be empty when `settle` analyzes it, and PostgreSQL would
/// plan the benchmark's progress statements as sequential scans of an empty table, a plan
/// it keeps for its prepared statements until autovacuum first analyzes the table (about a
/// minute in a running installation, never in a run of a few seconds).
async fn earlier_progress(base: &str, materials: &[String], people: usize) -> anyhow::Result<()> {
    use futures_util::{StreamExt, stream};
    let client = reqwest::Client::new();
    let reports = stream::iter(0..people).map(|i| {
        let request = client
            .put(format!(
                "{base}/v1/materials/{}/progress/E{i:05}",
                materials[i % materials.len()]
            ))
            .bearer_auth(TOKEN)
            .json(&json!({"position_seconds": 60, "played": [{"start": 0, "end": 60}]}));
        async move { anyhow::Ok(request.send().await?.status()) }
    });
    let statuses: Vec<_> = reports.buffer_unordered(16).collect().await;
    for status in statuses {
        let status = status?;
        anyhow::ensure!(status.is_success(), "earlier progress: {status}");
    }
    Ok(())
}

/// Each report a new ten-second interval of a random recording by a random person.
fn progress_reports(
    base: &str,
    materials: &[String],
    people: usize,
    connections: usize,
    duration: Duration,
) -> Measured {
    let list = materials
        .iter()
        .map(|m| format!("\"{m}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let script = format!(
        r#"
local auth = {{ ["Authorization"] = "Bearer {TOKEN}", ["Content-Type"] = "application/json" }}
local materials = {{ {list} }}
request = function()
  local m = materials[math.random(1, #materials)]
  local id = string.format("E%05d", math.random(0, {people} - 1))
  local start = math.random(0, {last}) * 10
  local body = string.format('{{"position_seconds": %d, "played": [{{"start": %d, "end": %d}}]}}', start + 10, start, start + 10)
  return wrk.format("PUT", "/v1/materials/" .. m .. "/progress/" .. id, auth, body)
end
"#,
        last = RECORDING_SECONDS / 10 - 1
    );
    if let Some(m) = wrk("bench-training", base, connections, duration, &script) {
        return m;
    }
    let (base, materials) = (base.to_owned(), materials.to_vec());
    load_in_process(connections, duration, move |client, worker, n| {
        let id = (worker * 7919 + n * 104_729) % people;
        let material = &materials[(worker + n) % materials.len()];
        let start = (n * 10) % (RECORDING_SECONDS as usize - 10);
        client
            .put(format!("{base}/v1/materials/{material}/progress/E{id:05}"))
            .bearer_auth(TOKEN)
            .json(&json!({"position_seconds": start + 10,
                "played": [{"start": start, "end": start + 10}]}))
    })
}

/// Catch-up plans of random people of the project.
fn catch_up_reads(
    base: &str,
    project: &str,
    people: usize,
    connections: usize,
    duration: Duration,
) -> Measured {
    let script = format!(
        r#"
local auth = {{ ["Authorization"] = "Bearer {TOKEN}" }}
request = function()
  local id = string.format("E%05d", math.random(0, {people} - 1))
  return wrk.format("GET", "/v1/projects/{project}/catch-up/" .. id, auth)
end
"#
    );
    if let Some(m) = wrk_reads("bench-training", base, connections, duration, &script) {
        return m;
    }
    let (base, project) = (base.to_owned(), project.to_owned());
    load_in_process(connections, duration, move |client, worker, n| {
        let id = (worker * 7919 + n * 104_729) % people;
        client
            .get(format!("{base}/v1/projects/{project}/catch-up/E{id:05}"))
            .bearer_auth(TOKEN)
    })
}
