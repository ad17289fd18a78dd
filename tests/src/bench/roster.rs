//! Seeding a benchmark's services with the same people, and the suite's own read of one
//! employee by id that other reads are measured against.

use std::time::Duration;

use continuity_shared::testing::TestDatabase;
use diesel::Connection;
use diesel::connection::SimpleConnection;

use super::{Measured, SERVICE_TOKEN, TOKEN, load_in_process, wrk_reads};

/// On PostgreSQL, vacuums, analyzes and checkpoints a freshly seeded database, so that no
/// measured load runs beside autovacuum or a checkpoint the seeding set off (as a database
/// in service would have long since done). SQLite needs nothing.
pub fn settle(db: &TestDatabase) -> anyhow::Result<()> {
    if db.url.starts_with("postgres") {
        let mut conn = diesel::PgConnection::establish(&db.url)?;
        conn.batch_execute("VACUUM ANALYZE")?;
        conn.batch_execute("CHECKPOINT")?;
    }
    Ok(())
}

/// Staffing gets `people` employees `E00000`... over `departments` departments `dept0`...,
/// in one CSV import: the suite's own read of one employee by id is measured on them.
pub async fn import_people(base: &str, people: usize, departments: usize) -> anyhow::Result<()> {
    use std::fmt::Write as _;
    let client = reqwest::Client::new();
    for d in 0..departments {
        let res = client
            .put(format!("{base}/v1/departments/dept{d}"))
            .bearer_auth(TOKEN)
            .json(&serde_json::json!({"name": format!("dept{d}"), "key": false}))
            .send()
            .await?;
        anyhow::ensure!(res.status().is_success(), "department: {}", res.status());
    }
    let mut csv = String::from("employee_id,name,department_code,hire_date,leave_date\n");
    for i in 0..people {
        writeln!(
            csv,
            "E{i:05},Person {i},dept{},2020-01-01,",
            i % departments
        )?;
    }
    let res = client
        .post(format!("{base}/v1/employees/import"))
        .bearer_auth(TOKEN)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await?;
    anyhow::ensure!(res.status().is_success(), "import: {}", res.status());
    Ok(())
}

/// Staffing's `GET /v1/employees/{id}` of random people among `E00000`..., the suite's own
/// read that other reads are measured against.
pub fn reads_by_id(base: &str, people: usize, connections: usize, duration: Duration) -> Measured {
    let script = format!(
        "local auth = {{ [\"Authorization\"] = \"Bearer {TOKEN}\" }}\n\
         request = function()\n\
           return wrk.format(\"GET\", string.format(\"/v1/employees/E%05d\", math.random(0, {} - 1)), auth)\n\
         end\n",
        people
    );
    if let Some(m) = wrk_reads("reads-by-id", base, connections, duration, &script) {
        return m;
    }
    let base = base.to_owned();
    load_in_process(connections, duration, move |client, worker, n| {
        let id = (worker * 7919 + n * 104_729) % people;
        client
            .get(format!("{base}/v1/employees/E{id:05}"))
            .bearer_auth(TOKEN)
    })
}

/// Feeds a consumer's roster copy as staffing would, through `POST /v1/events`: a project,
/// `departments` departments `dept0`... and `people` active employees `E00000`... spread
/// over them. The project's id.
pub async fn feed_roster(base: &str, people: usize, departments: usize) -> anyhow::Result<String> {
    use serde_json::{Value, json};
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
    let codes: Vec<String> = (0..departments).map(|d| format!("dept{d}")).collect();
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
                "department_code": codes[i % departments], "hire_date": "2020-01-01",
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
    Ok(project)
}
