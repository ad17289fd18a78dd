//! Input at the edges: trailing data after a body, dates outside 1900-9999, malformed
//! `If-Match`, the case of the `Bearer` scheme, and replays running side by side.

use std::time::{Duration, Instant};

use continuity_shared::auth::Role;
use continuity_shared::db::{DbConnection, DbError};
use continuity_shared::testing::{TestApp, token_for};
use diesel::connection::SimpleConnection;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

fn put_sales(app: &TestApp) -> reqwest::RequestBuilder {
    app.as_role(Role::Manager, Method::PUT, "/v1/departments/sales")
        .header("content-type", "application/json")
}

#[actix_web::test]
async fn trailing_data_after_the_json_body_is_400_and_changes_nothing() {
    let app = spawn().await;
    for body in [r#"{"name":"x"} {"a":1}"#, r#"{"name":"x"}garbage"#] {
        let res = put_sales(&app).body(body).send().await.unwrap();
        let (status, problem) = problem(res).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(problem["code"], "malformed_request", "{body}");
    }
    assert_eq!(get_json(&app, "/v1/departments/sales").await.0, 404);
}

#[actix_web::test]
async fn dates_outside_the_years_1900_to_9999_are_422_naming_the_field() {
    let app = spawn().await;
    seed_departments(&app).await;
    let employee = |hire: &str, last: Option<&str>| {
        json!({"name": "Li", "department_code": "sales", "hire_date": hire,
               "status": if last.is_some() { "leaving" } else { "active" },
               "last_working_day": last})
    };
    for (body, field) in [
        (employee("1899-12-31", None), "hire_date"),
        (employee("10000-01-01", None), "hire_date"),
        (employee("+2020-01-01", None), "hire_date"),
        (
            employee("2020-01-01", Some("+10000-01-01")),
            "last_working_day",
        ),
        (
            employee("2020-01-01", Some("0001-01-01")),
            "last_working_day",
        ),
    ] {
        let (status, problem) = problem(put_employee(&app, "E1", body.clone()).await).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(problem["errors"][0]["field"], field, "{body}");
    }
    assert_eq!(get_json(&app, "/v1/employees/E1").await.0, 404);

    let res = put_employee(&app, "E1", employee("1900-01-01", Some("9999-12-31"))).await;
    assert_eq!(res.status(), 201, "the bounds themselves are dates");
}

#[actix_web::test]
async fn a_malformed_if_match_is_400_and_weak_tags_never_match() {
    let app = spawn().await;
    seed_departments(&app).await;
    let put = |if_match: &'static str, name: &'static str| {
        put_sales(&app)
            .header("if-match", if_match)
            .body(json!({"name": name, "key": true}).to_string())
            .send()
    };
    for bad in [r#""1", garbage"#, "garbage", r#"W/"1" "2""#] {
        let (status, body) = problem(put(bad, "Renamed").await.unwrap()).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(body["code"], "malformed_request", "{bad}");
    }
    let (status, _) = problem(put(r#"W/"1""#, "Renamed").await.unwrap()).await;
    assert_eq!(status, 412, "a weak tag never matches If-Match");
    assert_eq!(
        get_json(&app, "/v1/departments/sales").await.1["name"],
        "Sales"
    );

    let res = put("*", "Sales One").await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], r#""2""#);
    let res = put(r#""7", "2""#, "Sales Two").await.unwrap();
    assert_eq!(res.status(), 200, "one of the listed tags is current");
}

#[actix_web::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = spawn().await;
    let token = token_for(Role::Manager);
    for scheme in ["Bearer", "bearer", "BEARER", "BeArEr"] {
        let res = app
            .client
            .get(app.url("/v1/departments"))
            .header("authorization", format!("{scheme} {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{scheme}");
    }
    let res = app
        .client
        .get(app.url("/v1/departments"))
        .header("authorization", format!("Basic {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await.0, 401);
}

/// Holds the writer until `release` is sent, so that a replay started meanwhile stays in
/// flight: SQLite has one writing connection; on PostgreSQL the outbox table is locked.
async fn hold_the_writer(app: &TestApp) -> std::sync::mpsc::Sender<()> {
    let (release, released) = std::sync::mpsc::channel::<()>();
    let (held, holding) = tokio::sync::oneshot::channel::<()>();
    let db = app.db.clone();
    tokio::spawn(async move {
        db.write(move |c| {
            if let DbConnection::Pg(pg) = c {
                pg.batch_execute("LOCK TABLE outbox_events IN EXCLUSIVE MODE")?;
            }
            let _ = held.send(());
            let _ = released.recv_timeout(Duration::from_secs(20));
            Ok::<_, DbError>(())
        })
        .await
        .unwrap();
    });
    holding.await.unwrap();
    release
}

#[actix_web::test]
async fn a_second_replay_for_a_subscriber_while_one_runs_is_409() {
    let app = spawn().await;
    seed_departments(&app).await;
    let replay = |subscriber: &str| {
        tokio::spawn(
            app.as_role(Role::Service, Method::POST, "/v1/events/replay")
                .json(&json!({"subscriber": subscriber}))
                .send(),
        )
    };
    let release = hold_the_writer(&app).await;
    let same = [replay("scheduling"), replay("scheduling")];
    let other = replay("training-record");
    // One of the two waits for the writer; the other is answered at once.
    let started = Instant::now();
    while !same.iter().any(|r| r.is_finished()) {
        assert!(started.elapsed() < Duration::from_secs(10), "no answer");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    release.send(()).unwrap();
    let mut statuses = Vec::new();
    for r in same {
        let res = r.await.unwrap().unwrap();
        let status = res.status().as_u16();
        if status == 409 {
            let (_, body) = problem(res).await;
            assert_eq!(body["code"], "conflict");
            assert!(
                body["detail"].as_str().unwrap().contains("scheduling"),
                "{body}"
            );
        }
        statuses.push(status);
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [202, 409]);
    let other = other.await.unwrap().unwrap();
    assert_eq!(other.status(), 202, "another subscriber is not held back");

    let again = replay("scheduling").await.unwrap().unwrap();
    assert_eq!(
        again.status(),
        202,
        "free again once the first has answered"
    );
    assert_eq!(again.json::<Value>().await.unwrap()["queued"], 2);
}
