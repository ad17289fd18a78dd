//! `bench-notices [--postgres URL] [--people N]`: how long process-change takes to publish
//! a liaison notice to every active employee of ten departments (5,000 by default): one
//! request, one transaction that publishes the change and writes one pending
//! acknowledgment per person in multi-row inserts. The roster copy is fed as staffing
//! would feed it, through `POST /v1/events`. Target: under 1 s on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark fails loudly

use std::time::{Duration, Instant};

use continuity_shared::testing::TestDatabase;
use continuity_tests::bench::{SERVICE_TOKEN, TOKEN, client_runtime, start_service, stop};
use serde_json::{Value, json};

const DEPARTMENTS: usize = 10;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let people: usize = arg("--people").map_or(Ok(5000), |n| n.parse())?;
    println!("| database | people asked | publish (one request) | target |");
    println!("| --- | --- | --- | --- |");
    let mut runs = vec![("SQLite (synchronous=full)", TestDatabase::sqlite())];
    if let Some(url) = arg("--postgres") {
        runs.push(("PostgreSQL", TestDatabase::postgres(&url)));
    }
    for (name, db) in runs {
        let (base, handle, thread) = start_service(&process_change::SERVICE, &db, &[])?;
        let (asked, took) = client_runtime().block_on(publish_to(&base, people))?;
        let verdict = if took < Duration::from_secs(1) {
            "met (< 1 s)"
        } else {
            "missed (< 1 s)"
        };
        println!(
            "| {name} | {asked} | {:.0} ms | {verdict} |",
            took.as_secs_f64() * 1000.0
        );
        stop(handle, thread);
    }
    Ok(())
}

/// Feeds the roster copy, records and approves one change for the ten departments, bundles
/// it and times the publication; how many were asked to acknowledge, and how long it took.
async fn publish_to(base: &str, people: usize) -> anyhow::Result<(u64, Duration)> {
    let client = reqwest::Client::new();
    let project = uuid::Uuid::now_v7().to_string();
    let event = |kind: &str, data: Value| {
        json!({"specversion": "1.0", "id": uuid::Uuid::now_v7().to_string(), "source": "staffing",
            "type": kind, "time": "2026-11-28T08:00:00Z", "data": data})
    };
    let mut events = vec![event(
        "project.upserted",
        json!({"project_id": project, "name": "CRM", "status": "in_progress",
            "planned_start": null, "planned_go_live": null, "stabilization_months": 3}),
    )];
    let codes: Vec<String> = (0..DEPARTMENTS).map(|d| format!("dept{d}")).collect();
    for code in &codes {
        events.push(event(
            "department.upserted",
            json!({"code": code, "name": code, "key": false, "min_project_members": 1}),
        ));
    }
    for i in 0..people {
        events.push(event(
            "employee.upserted",
            json!({"employee_id": format!("E{i:05}"), "name": format!("Person {i}"),
                "department_code": codes[i % DEPARTMENTS], "hire_date": "2020-01-01",
                "status": "active", "last_working_day": null}),
        ));
    }
    for batch in events.chunks(500) {
        let res = client
            .post(format!("{base}/v1/events"))
            .bearer_auth(SERVICE_TOKEN)
            .header("content-type", "application/cloudevents-batch+json")
            .body(serde_json::to_vec(batch)?)
            .send()
            .await?;
        anyhow::ensure!(res.status().is_success(), "events: {}", res.status());
    }
    let post = |path: String, body: Option<Value>| {
        let req = client.post(format!("{base}{path}")).bearer_auth(TOKEN);
        let req = match body {
            Some(b) => req.json(&b),
            None => req,
        };
        async move {
            let res = req.send().await?;
            let status = res.status();
            let body: Value = res.json().await?;
            anyhow::ensure!(status.is_success(), "POST {path}: {status} {body}");
            Ok::<Value, anyhow::Error>(body)
        }
    };
    let change = post(
        format!("/v1/projects/{project}/process-changes"),
        Some(
            json!({"process": "Order to cash", "step": "Approve discount",
            "before": "On paper", "after": "In the CRM", "reason": "One record",
            "departments": codes, "effective_date": "2026-12-15"}),
        ),
    )
    .await?;
    let change = change["change_id"].as_str().unwrap_or_default().to_owned();
    post(format!("/v1/process-changes/{change}/approve"), None).await?;
    let notice = post(
        format!("/v1/projects/{project}/notices"),
        Some(json!({"title": "Discounts in the CRM", "change_ids": [change]})),
    )
    .await?;
    let notice = notice["notice_id"].as_str().unwrap_or_default().to_owned();
    let started = Instant::now();
    let published = post(format!("/v1/notices/{notice}/publish"), None).await?;
    let took = started.elapsed();
    let asked = published["acknowledgments"]["pending"]
        .as_u64()
        .unwrap_or(0);
    anyhow::ensure!(asked == people as u64, "asked {asked} of {people}");
    Ok((asked, took))
}
