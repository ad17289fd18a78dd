//! A service that exists only in this test plugs into the platform as any service does:
//! its own subscriptions, its roster copy with a hook, a scheduled job. Staffing, which
//! knows nothing of it, routes to it by configuration and declaration alone.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use continuity_contract::{EventType, ServiceName};
use continuity_shared::ApiResult;
use continuity_shared::auth::Role;
use continuity_shared::clock::Clock;
use continuity_shared::db::DbConnection;
use continuity_shared::events::{CloudEvent, EventHandler};
use continuity_shared::roster::{self, RosterChange, RosterCopy, RosterHook};
use continuity_shared::scheduler::Job;
use continuity_shared::service::{Extensions, Platform, ServiceDef, Subscription};
use continuity_shared::testing::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{eventually, free_port};

/// Every roster change the ledger's hook saw, with the id of the event behind it.
static SEEN: Mutex<Vec<(String, RosterChange)>> = Mutex::new(Vec::new());

struct Recorder;

impl RosterHook for Recorder {
    fn changed(
        &self,
        _: &mut DbConnection,
        change: &RosterChange,
        event: &CloudEvent,
    ) -> ApiResult<()> {
        SEEN.lock()
            .unwrap()
            .push((event.id.clone(), change.clone()));
        Ok(())
    }
}

/// Every event the ledger's own handler saw, by id.
static HANDLED: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Handler;

impl EventHandler for Handler {
    fn apply(&self, _: &mut DbConnection, event: &CloudEvent) -> ApiResult<bool> {
        HANDLED.lock().unwrap().push(event.id.clone());
        Ok(false)
    }
}

fn staffing_name() -> anyhow::Result<ServiceName> {
    ServiceName::parse("staffing").map_err(anyhow::Error::from)
}

/// Takes employees only, and keeps a copy of staffing's roster with a hook.
static LEDGER: ServiceDef = ServiceDef {
    name: "ledger",
    default_port: 0,
    title: "Ledger (a service that exists only in a test)",
    description: "Keeps employees and watches their changes.",
    migrations: &[roster::MIGRATIONS],
    subscriptions: &[&[
        Subscription::new(EventType::EmployeeUpserted, &["staffing"]),
        Subscription::new(EventType::EmployeeTransferred, &["staffing"]),
    ]],
    routes: roster::api::routes,
    setup: |_: &Platform| {
        let copy = RosterCopy::of(staffing_name()?).with_hook(Recorder);
        Ok(Extensions::default().roster_copy(copy).events(Handler))
    },
};

static TICKS: AtomicUsize = AtomicUsize::new(0);

/// Runs one job every minute, nothing else.
static TICKER: ServiceDef = ServiceDef {
    name: "ticker",
    default_port: 0,
    title: "Ticker (a service that exists only in a test)",
    description: "Runs a job every minute.",
    migrations: &[],
    subscriptions: &[],
    routes: |_| {},
    setup: |_: &Platform| {
        let job = Job::every("tick", Duration::from_secs(60), |_| async {
            TICKS.fetch_add(1, Ordering::SeqCst);
            Ok(())
        });
        Ok(Extensions::default().job(job))
    },
};

async fn send(
    app: &TestApp,
    role: Role,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app.as_role(role, method, path);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Deliveries staffing made or owes to `subscriber`, by status.
async fn owed_to(staffing: &TestApp, subscriber: &str) -> i64 {
    let (_, stats) = send(
        staffing,
        Role::Admin,
        Method::GET,
        "/v1/admin/outbox/stats",
        None,
    )
    .await;
    stats
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["subscriber"] == subscriber)
        .map(|s| {
            ["pending", "delivered", "dead"]
                .iter()
                .map(|k| s[k].as_i64().unwrap())
                .sum::<i64>()
        })
        .sum()
}

#[actix_web::test]
async fn a_peer_down_since_the_producers_first_start_gets_every_event_then_only_what_it_declared() {
    let port = free_port();
    let ledger_url = format!("http://127.0.0.1:{port}");
    let staffing = TestApp::spawn_with(
        &staffing::SERVICE,
        &[
            ("CONTINUITY_LEDGER__BASE_URL", &ledger_url),
            ("CONTINUITY_STAFFING__SEED_KEY_DEPARTMENTS", "false"),
            ("CONTINUITY_EVENTS__SUBSCRIPTIONS_REFRESH_SECONDS", "1"),
            ("CONTINUITY_EVENTS__POLL_INTERVAL_MS", "50"),
            ("CONTINUITY_EVENTS__BASE_DELAY_MS", "50"),
            ("CONTINUITY_EVENTS__MAX_DELAY_MS", "300"),
        ],
    )
    .await;
    let (_, peers) = send(&staffing, Role::Admin, Method::GET, "/v1/admin/peers", None).await;
    assert_eq!(
        peers,
        json!([{"peer": "ledger", "event_types": null, "declared_at": null}])
    );

    // The ledger is down: staffing has never heard from it, so it owes it every event.
    let dept = json!({"name": "Sales", "key": true});
    assert_eq!(
        send(
            &staffing,
            Role::Manager,
            Method::PUT,
            "/v1/departments/sales",
            Some(dept)
        )
        .await
        .0,
        201
    );
    let e1 = json!({"name": "Li Lei", "department_code": "sales", "hire_date": "2021-03-01"});
    assert_eq!(
        send(
            &staffing,
            Role::Manager,
            Method::PUT,
            "/v1/employees/E1",
            Some(e1)
        )
        .await
        .0,
        201
    );
    assert_eq!(
        owed_to(&staffing, "ledger").await,
        2,
        "a department and an employee"
    );

    // It starts: it gets both, applies the employee to its copy, and its hook sees it.
    let staffing_url = staffing.address.clone();
    let port_text = port.to_string();
    let ledger = TestApp::spawn_with(
        &LEDGER,
        &[
            ("CONTINUITY_LEDGER__PORT", &port_text),
            ("CONTINUITY_STAFFING__BASE_URL", &staffing_url),
        ],
    )
    .await;
    assert!(
        eventually(Duration::from_secs(20), || async {
            let (_, stats) = send(
                &ledger,
                Role::Admin,
                Method::GET,
                "/v1/admin/inbox/stats",
                None,
            )
            .await;
            stats[0]["received"] == 2
        })
        .await,
        "both events reached the ledger"
    );
    let (_, copy) = send(
        &ledger,
        Role::Admin,
        Method::GET,
        "/v1/roster/employees",
        None,
    )
    .await;
    assert_eq!(copy["items"][0]["employee_id"], "E1");
    assert!(SEEN.lock().unwrap().iter().any(|(_, c)| matches!(
        c,
        RosterChange::Employee { before: None, after } if after.employee_id.as_str() == "E1"
    )));

    // Once staffing has read the ledger's declaration, it routes only what was declared.
    assert!(
        eventually(Duration::from_secs(20), || async {
            let (_, peers) =
                send(&staffing, Role::Admin, Method::GET, "/v1/admin/peers", None).await;
            peers[0]["event_types"] == json!(["employee.transferred", "employee.upserted"])
        })
        .await,
        "staffing stored the ledger's declaration"
    );
    let quality = json!({"name": "Quality", "key": true});
    send(
        &staffing,
        Role::Manager,
        Method::PUT,
        "/v1/departments/quality",
        Some(quality),
    )
    .await;
    let e2 = json!({"name": "Han Meimei", "department_code": "quality", "hire_date": "2022-07-01"});
    send(
        &staffing,
        Role::Manager,
        Method::PUT,
        "/v1/employees/E2",
        Some(e2),
    )
    .await;
    assert_eq!(
        owed_to(&staffing, "ledger").await,
        3,
        "the new employee, not the new department"
    );
}

#[actix_web::test]
async fn a_services_hook_sees_a_transfer_before_and_after_and_a_forged_one_is_refused() {
    let ledger = TestApp::spawn(&LEDGER).await;
    let event = |id: &str, source: &str, kind: &str, data: Value| {
        json!({"specversion": "1.0", "id": id, "source": source, "type": kind,
               "time": "2026-11-28T08:00:00Z", "data": data})
    };
    let post = |body: Value| {
        ledger
            .as_role(Role::Service, Method::POST, "/v1/events")
            .header("content-type", "application/cloudevents-batch+json")
            .body(body.to_string())
            .send()
    };
    // Hostile first: a transfer claimed by another service changes nothing.
    let hire = event(
        "h1",
        "staffing",
        "employee.upserted",
        json!({"employee_id": "T1",
        "name": "Wang Wu", "department_code": "sales", "hire_date": "2020-01-06",
        "status": "active", "last_working_day": null}),
    );
    assert_eq!(post(json!([hire])).await.unwrap().status(), 200);
    let forged = event(
        "f1",
        "scheduling",
        "employee.transferred",
        json!({"employee_id": "T1",
        "from_department_code": "sales", "department_code": "it", "effective_date": "2026-12-01"}),
    );
    let answer: Value = post(json!([forged])).await.unwrap().json().await.unwrap();
    assert_eq!(answer["results"][0]["outcome"], "rejected", "{answer}");
    assert_eq!(
        answer["results"][0]["problem"]["errors"][0]["field"],
        "source"
    );

    let moved = event(
        "t1",
        "staffing",
        "employee.transferred",
        json!({"employee_id": "T1",
        "from_department_code": "sales", "department_code": "quality", "effective_date": "2026-12-01"}),
    );
    assert_eq!(post(json!([moved])).await.unwrap().status(), 200);
    let seen = SEEN.lock().unwrap().clone();
    assert!(
        !seen.iter().any(|(id, _)| id == "f1"),
        "the forged event reached no hook"
    );
    let transfer = seen
        .iter()
        .find(|(id, _)| id == "t1")
        .map(|(_, c)| c.clone());
    match transfer {
        Some(RosterChange::Employee {
            before: Some(before),
            after,
        }) => {
            assert_eq!(before.department_code.as_str(), "sales");
            assert_eq!(after.department_code.as_str(), "quality");
        }
        other => panic!("the hook did not see the transfer: {other:?}"),
    }
}

#[actix_web::test]
async fn a_services_job_runs_once_per_slot_on_its_clock() {
    let start = "2026-11-28T10:00:30Z".parse().unwrap();
    let clock = Clock::manual(start, continuity_shared::clock::DEFAULT_TIME_ZONE);
    let _ticker = TestApp::spawn_with_clock(
        &TICKER,
        &[("CONTINUITY_SCHEDULER__TICK_SECONDS", "1")],
        clock.clone(),
    )
    .await;
    assert!(
        eventually(Duration::from_secs(10), || async {
            TICKS.load(Ordering::SeqCst) == 1
        })
        .await
    );
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        TICKS.load(Ordering::SeqCst),
        1,
        "not again within the same minute"
    );
    clock.advance(chrono::Duration::seconds(60));
    assert!(
        eventually(Duration::from_secs(10), || async {
            TICKS.load(Ordering::SeqCst) == 2
        })
        .await,
        "once more in the next minute"
    );
}
