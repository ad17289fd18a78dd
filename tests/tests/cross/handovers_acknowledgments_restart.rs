//! Process-change is down while a thousand signed resignations arrive: once it is back,
//! every handover's acknowledgment part reaches staffing exactly once (none missing, none
//! reported twice), with the count of the department's current notices.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::time::Duration;

use futures_util::{StreamExt, stream};
use serde_json::{Value, json};

use crate::handovers::{HR_SECRET, post, send_hr};
use crate::handovers_acknowledgments::pc_post;
use crate::harness::{ADMIN_TOKEN, Suite, eventually};

const LEAVERS: usize = 1000;
/// Leaver `i` is on project `i % PROJECTS` and in department `i % DEPARTMENTS`: teams and
/// departments of a realistic size (staffing weighs the whole team and department when it
/// opens a handover).
const PROJECTS: usize = 10;
const DEPARTMENTS: usize = 20;
/// Requests in flight at once while seeding and resigning.
const PARALLEL: usize = 16;

fn department_of(i: usize) -> String {
    format!("d{:02}", i % DEPARTMENTS)
}

/// How many current notices department `d` has: notice A goes to every department with
/// `d % 4` of 0 or 1, notice B to 1 or 2; the others have none (their parts are 0 of 0).
fn notices_of(d: usize) -> u32 {
    [1, 2, 1, 0][d % 4]
}

/// Staffing's handovers, and how many `handover.progressed` events it has received from
/// process-change.
async fn handovers_and_reports(suite: &Suite) -> (Vec<Value>, i64) {
    let handovers = suite.all("staffing", "/v1/handovers").await;
    let stats = suite.get("staffing", "/v1/admin/inbox/stats").await;
    let reports = stats
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "process-change")
        .and_then(|s| s["by_type"]["handover.progressed"].as_i64())
        .unwrap_or(0);
    (handovers, reports)
}

/// Runs `request(i)` for every `i` below `n`, `PARALLEL` at a time; the answers.
async fn each<F, Fut, T>(n: usize, request: F) -> Vec<T>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    stream::iter(0..n)
        .map(request)
        .buffer_unordered(PARALLEL)
        .collect()
        .await
}

#[actix_web::test]
async fn with_process_change_down_during_1000_resignations_every_acknowledgment_part_arrives_once()
{
    let started = std::time::Instant::now();
    let phase = |what: &str| eprintln!("restart test: {what} after {:.1?}", started.elapsed());
    let suite = Suite::new();
    let hr = [("CONTINUITY_HR_WEBHOOK_SECRET", HR_SECRET)];
    let _staffing = suite.start_with("staffing", &hr).await;
    let process = suite.start("process-change").await;

    // A leaver L{i} and the successor HR will name, S{i}, in the same department, in one
    // import; the leavers on the teams of ten active projects.
    for d in 0..DEPARTMENTS {
        let code = department_of(d);
        let body = json!({"name": code.to_uppercase(), "key": false});
        let put = suite
            .put("staffing", &format!("/v1/departments/{code}"), body)
            .await;
        assert!(matches!(put, Some(200 | 201)), "{code}: {put:?}");
    }
    let mut csv = String::from("employee_id,name,department_code,hire_date,leave_date\n");
    for i in 0..LEAVERS {
        let d = department_of(i);
        writeln!(csv, "L{i:04},Leaver {i},{d},2020-01-01,").unwrap();
        writeln!(csv, "S{i:04},Successor {i},{d},2020-01-01,").unwrap();
    }
    let res = Suite::client()
        .post(suite.url("staffing", "/v1/employees/import"))
        .bearer_auth(ADMIN_TOKEN)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "import: {}", res.status());
    let mut projects = Vec::new();
    for k in 0..PROJECTS {
        let body = json!({"name": format!("CRM {k}"), "status": "in_progress",
            "planned_go_live": "2027-06-01"});
        let project = post(&suite, "/v1/projects", body).await;
        projects.push(project["project_id"].as_str().unwrap().to_owned());
    }
    let joined = each(LEAVERS, |i| {
        let path = format!("/v1/projects/{}/members/L{i:04}", projects[i % PROJECTS]);
        let suite = &suite;
        async move {
            suite
                .put("staffing", &path, json!({"role": "member"}))
                .await
        }
    })
    .await;
    assert!(
        joined.iter().all(|s| *s == Some(201)),
        "members: {joined:?}"
    );
    phase("imported and joined");

    // Process-change's copy of the roster and the projects, then the two notices.
    let copied = eventually(Duration::from_secs(300), || async {
        let copy = suite.all("process-change", "/v1/roster/projects").await;
        copy.len() == PROJECTS && suite.copy_of_roster("process-change").await.len() == 2 * LEAVERS
    })
    .await;
    assert!(
        copied,
        "process-change's copy has every employee and project"
    );
    for (step, notice_rank) in [("Approve discount", [0, 1]), ("Invoice", [1, 2])] {
        let departments: Vec<String> = (0..DEPARTMENTS)
            .filter(|d| notice_rank.contains(&(d % 4)))
            .map(department_of)
            .collect();
        let change = json!({"process": "Order to cash", "step": step, "before": "On paper",
            "after": "In the CRM", "reason": "Key users leave", "departments": departments,
            "effective_date": "2026-12-01"});
        let p = &projects[0];
        let path = format!("/v1/projects/{p}/process-changes");
        let (code, c) = pc_post(&suite, &path, Some(change)).await;
        assert_eq!(code, 201, "{c}");
        let c = c["change_id"].as_str().unwrap().to_owned();
        let (code, _) = pc_post(&suite, &format!("/v1/process-changes/{c}/approve"), None).await;
        assert_eq!(code, 200);
        let body = json!({"title": step, "change_ids": [c]});
        let (code, n) = pc_post(&suite, &format!("/v1/projects/{p}/notices"), Some(body)).await;
        assert_eq!(code, 201, "{n}");
        let n = n["notice_id"].as_str().unwrap().to_owned();
        let (code, body) = pc_post(&suite, &format!("/v1/notices/{n}/publish"), None).await;
        assert_eq!(code, 200, "{body}");
    }
    phase("copied and published");

    // Process-change stops; a thousand leavers resign, each naming their successor.
    process.terminate(Duration::from_secs(60));
    let today = chrono::Utc::now().date_naive();
    let last_day = today + chrono::Duration::days(30);
    let answers = each(LEAVERS, |i| {
        let event = json!({"type": "employee.resigned", "data": {
            "employee_id": format!("L{i:04}"), "notice_date": today,
            "last_working_day": last_day, "successor_employee_id": format!("S{i:04}")}});
        let suite = &suite;
        async move { send_hr(suite, &format!("hr-restart-{i}"), &event).await }
    })
    .await;
    assert!(answers.iter().all(|s| *s == 202), "HR answers: {answers:?}");
    phase("resigned");
    let (handovers, reports) = handovers_and_reports(&suite).await;
    assert_eq!(handovers.len(), LEAVERS);
    assert_eq!(reports, 0, "nobody reported while process-change was down");

    // Back up: it catches up on the queued events and reports every part. The deadline
    // only bounds a hang: catching up on some 5,000 events with debug builds on a loaded
    // machine takes from seconds to minutes, and no speed is asserted here.
    let _process = suite.start("process-change").await;
    let reported = eventually(Duration::from_secs(900), || async {
        let (handovers, reports) = handovers_and_reports(&suite).await;
        reports >= LEAVERS as i64 && handovers.iter().all(|h| !h["acknowledgments"].is_null())
    })
    .await;
    phase("reported");
    let (handovers, reports) = handovers_and_reports(&suite).await;
    assert!(reported, "{reports} reports; {:?}", handovers.first());
    // Once process-change has nothing left to send to staffing, the count is final.
    let drained = eventually(Duration::from_secs(60), || async {
        suite.outbox("process-change", "staffing").await.0 == 0
    })
    .await;
    assert!(
        drained,
        "{:?}",
        suite.outbox("process-change", "staffing").await
    );
    let (handovers, reports) = handovers_and_reports(&suite).await;
    assert_eq!(reports, LEAVERS as i64, "one report per handover, no more");

    let mut leavers = HashSet::new();
    for h in &handovers {
        let leaver = h["leaver_employee_id"].as_str().unwrap();
        let i: usize = leaver[1..].parse().unwrap();
        assert!(leavers.insert(i), "a second handover for {leaver}");
        assert_eq!(h["project_id"], projects[i % PROJECTS].as_str(), "{h}");
        assert_eq!(h["department_code"], department_of(i), "{h}");
        assert_eq!(
            h["successor"]["assigned_employee_id"],
            format!("S{i:04}"),
            "{h}"
        );
        let want = notices_of(i % DEPARTMENTS);
        assert_eq!(
            h["acknowledgments"],
            json!({"done": 0, "required": want, "complete": want == 0}),
            "{h}"
        );
    }
    assert_eq!(leavers.len(), LEAVERS, "a handover for every leaver");
}
