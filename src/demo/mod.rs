//! `continuity --demo`: once the suite listens, a new installation is filled with the
//! sample company of [`company`] through the services' own APIs, as an admin would: the
//! roster goes to staffing, and the other services get their copies by the usual events
//! before training and process changes are recorded in them.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use continuity_shared::clock::Clock;
use continuity_shared::launcher::AfterStart;
use continuity_shared::settings::Settings;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::client::{Api, Urls};

pub mod company;

/// The recording every demo session gets: a few KiB of playable H.264.
const RECORDING: &[u8] = include_bytes!("recording.mp4");
const RECORDING_SECONDS: u32 = 7;
const TRAINERS: [&str; 3] = ["Wang Fang", "Li Qiang", "Chen Jing"];

/// The launcher hook that fills the suite once it listens, and says when it is done.
pub fn after_start() -> AfterStart {
    Box::new(|settings, ports| {
        Box::pin(async move {
            match fill(&settings, &ports).await {
                Ok(Some(project)) => println!(
                    "Demo data ready: {} employees, project {:?} ({project}). \
                     Try: continuity-cli coverage {:?}",
                    company::EMPLOYEES,
                    company::PROJECT_NAME,
                    company::PROJECT_NAME
                ),
                Ok(None) => println!("Demo: this installation already has data; left as it is."),
                Err(e) => {
                    tracing::error!(error = %format!("{e:#}"), "demo data failed");
                    eprintln!("continuity: demo data failed: {e:#}");
                }
            }
        })
    })
}

/// Fills an empty suite; the project's id, or `None` when staffing already had employees.
async fn fill(settings: &Settings, ports: &[(String, u16)]) -> anyhow::Result<Option<String>> {
    let token = settings
        .admin_token
        .as_ref()
        .context("no admin token")?
        .expose_secret()
        .to_owned();
    let api = Api::new(token, Urls::from_ports(&settings.http.host, ports)?)?;
    let u = api.urls.clone();
    let existing = api
        .get(&format!("{}/v1/employees?limit=1", u.staffing))
        .await?;
    if existing["items"].as_array().is_some_and(|a| !a.is_empty()) {
        return Ok(None);
    }
    let today = Clock::system(settings.time_zone.0).today();
    let people = company::people(today, scheduling::domain::festival::spring_festival);

    for (code, name, key, min) in company::DEPARTMENTS {
        let body = json!({"name": name, "key": key, "min_project_members": min});
        api.put(&format!("{}/v1/departments/{code}", u.staffing), &body)
            .await?;
    }
    api.call(
        reqwest::Method::POST,
        &format!("{}/v1/employees/import", u.staffing),
        Some(("text/csv", company::roster_csv(&people).into_bytes())),
    )
    .await?;
    let project = api
        .post(
            &format!("{}/v1/projects", u.staffing),
            &json!({
                "name": company::PROJECT_NAME,
                "status": "in_progress",
                "planned_start": (today - chrono::Days::new(60)).to_string(),
                "planned_go_live": (today + chrono::Days::new(150)).to_string(),
            }),
        )
        .await?;
    let project = project["project_id"]
        .as_str()
        .context("no project_id")?
        .to_owned();
    for (employee, _, _, role, backup_for) in company::TEAM {
        api.put(
            &format!("{}/v1/projects/{project}/members/{employee}", u.staffing),
            &json!({"role": role, "backup_for": backup_for}),
        )
        .await?;
    }

    // Training and notices need the roster copies: wait for the events to arrive.
    for base in [&u.training_record, &u.process_change, &u.scheduling] {
        wait_for_roster(&api, base, &project, people.len()).await?;
    }
    record_training(&api, &project, today).await?;
    publish_notices(&api, &project, today).await?;
    Ok(Some(project))
}

/// Waits until a service's copy of the roster holds every employee and the whole team.
async fn wait_for_roster(
    api: &Api,
    base: &str,
    project: &str,
    employees: usize,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let people = api.list(&format!("{base}/v1/roster/employees")).await?;
        let team = api
            .list(&format!("{base}/v1/roster/projects/{project}/members"))
            .await
            .unwrap_or_default();
        if people.len() >= employees && team.len() >= company::TEAM.len() {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "{base} has {} employees and {} team members of staffing's {employees} and {}",
                people.len(),
                team.len(),
                company::TEAM.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

async fn record_training(api: &Api, project: &str, today: chrono::NaiveDate) -> anyhow::Result<()> {
    let tr = &api.urls.training_record;
    for (i, (title, module, departments, days_ago, required, attended)) in
        company::SESSIONS.iter().enumerate()
    {
        let session = api
            .post(
                &format!("{tr}/v1/projects/{project}/training-sessions"),
                &json!({
                    "title": title, "module": module,
                    "held_on": (today - chrono::Days::new(*days_ago)).to_string(),
                    "trainer": TRAINERS[i % TRAINERS.len()],
                    "duration_minutes": 60, "departments": departments, "required": required,
                }),
            )
            .await?;
        let id = session["session_id"].as_str().context("no session_id")?;
        api.call(
            reqwest::Method::POST,
            &format!(
                "{tr}/v1/training-sessions/{id}/materials?filename={module}.mp4&kind=video&duration_seconds={RECORDING_SECONDS}"
            ),
            Some(("video/mp4", RECORDING.to_vec())),
        )
        .await?;
        let items: Vec<Value> = attended
            .iter()
            .map(|e| json!({"employee_id": e, "attended": true}))
            .collect();
        api.put(
            &format!("{tr}/v1/training-sessions/{id}/attendance"),
            &json!({ "items": items }),
        )
        .await?;
    }
    Ok(())
}

async fn publish_notices(api: &Api, project: &str, today: chrono::NaiveDate) -> anyhow::Result<()> {
    let pc = &api.urls.process_change;
    for (n, (title, changes, acknowledged)) in company::NOTICES.iter().enumerate() {
        let mut ids = Vec::new();
        for (process, step, before, after, reason, departments) in changes.iter() {
            let change = api
                .post(
                    &format!("{pc}/v1/projects/{project}/process-changes"),
                    &json!({
                        "process": process, "step": step, "before": before, "after": after,
                        "reason": reason, "departments": departments,
                        "effective_date": (today + chrono::Days::new(14 * (n as u64 + 1))).to_string(),
                    }),
                )
                .await?;
            let id = change["change_id"]
                .as_str()
                .context("no change_id")?
                .to_owned();
            api.call(
                reqwest::Method::POST,
                &format!("{pc}/v1/process-changes/{id}/approve"),
                None,
            )
            .await?;
            ids.push(id);
        }
        let notice = api
            .post(
                &format!("{pc}/v1/projects/{project}/notices"),
                &json!({"title": title, "change_ids": ids}),
            )
            .await?;
        let id = notice["notice_id"].as_str().context("no notice_id")?;
        api.call(
            reqwest::Method::POST,
            &format!("{pc}/v1/notices/{id}/publish"),
            None,
        )
        .await?;
        for employee in acknowledged.iter() {
            api.post(
                &format!("{pc}/v1/notices/{id}/acknowledgments"),
                &json!({ "employee_id": employee }),
            )
            .await?;
        }
    }
    Ok(())
}
