//! The trail against a real database (SQLite, or PostgreSQL when
//! CONTINUITY_TEST_POSTGRES_URL is set), and the context a request gives it.

use actix_web::test::TestRequest;
use actix_web::{FromRequest, HttpMessage, web};
use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use serde_json::json;

use super::db::{self, AuditFilter};
use super::{Action, Actor, AuditContext, Cause, Change, api::AuditEntry, record, record_all};
use crate::auth::{Principal, Role, TokenStore, digest};
use crate::db::{COMMON, Db};
use crate::error::{ApiError, ErrorKind};
use crate::http::request_id::RequestId;
use crate::pagination::{PageQuery, PageRequest};
use crate::settings::DatabaseUrl;
use crate::settings::Settings;
use crate::testing::TestDatabase;

fn t0() -> DateTime<Utc> {
    "2030-01-01T10:00:00Z".parse().unwrap()
}

fn by_request(id: &str) -> AuditContext {
    AuditContext {
        actor: Actor("test-manager".into()),
        cause: Cause::Request(id.into()),
        at: t0(),
    }
}

async fn db(tdb: &TestDatabase) -> Db {
    let url = DatabaseUrl::parse(&tdb.url).unwrap();
    let settings = Settings::load_from("", None, Vec::new()).unwrap().database;
    tokio::task::spawn_blocking(move || Db::open(&url, &settings, vec![COMMON]))
        .await
        .unwrap()
        .unwrap()
}

async fn write(db: &Db, ctx: AuditContext, changes: Vec<Change>) {
    db.write(move |c| record_all(c, &ctx, changes))
        .await
        .unwrap();
}

async fn read(
    db: &Db,
    entity: Option<&str>,
    id: Option<&str>,
    page: PageRequest,
) -> Vec<AuditEntry> {
    let filter = AuditFilter {
        entity: entity.map(str::to_owned),
        entity_id: id.map(str::to_owned),
    };
    db.read(move |c| db::list(c, &filter, &page))
        .await
        .unwrap()
        .into_iter()
        .map(|r| AuditEntry::try_from(r).unwrap())
        .collect()
}

fn all() -> PageRequest {
    PageQuery::default().parse().unwrap()
}

fn sales(name: &str) -> serde_json::Value {
    json!({"code": "sales", "name": name})
}

#[tokio::test]
async fn entries_read_back_newest_first_with_their_values_actor_and_cause() {
    let tdb = TestDatabase::new();
    let db = db(&tdb).await;
    let created = Change::created("department", "sales", &sales("Sales")).unwrap();
    write(&db, by_request("r-1"), vec![created]).await;
    let it = Change::created("department", "it", &json!({"code": "it"})).unwrap();
    write(&db, by_request("r-2"), vec![it]).await;
    let updated = Change::updated("department", "sales", &sales("Sales"), &sales("Sales EU"));
    write(&db, by_request("r-3"), vec![updated.unwrap()]).await;

    let trail = read(&db, Some("department"), Some("sales"), all()).await;
    assert_eq!(trail.len(), 2, "only sales");
    assert_eq!(trail[0].action, Action::Updated);
    assert_eq!(trail[0].old, Some(sales("Sales")));
    assert_eq!(trail[0].new, Some(sales("Sales EU")));
    assert_eq!(trail[1].action, Action::Created);
    assert_eq!(trail[1].old, None);
    assert_eq!(trail[0].actor, "test-manager");
    assert_eq!(trail[0].at, t0());
    let cause = serde_json::to_value(&trail[0].cause).unwrap();
    assert_eq!(cause, json!({"kind": "request", "id": "r-3"}));

    assert_eq!(read(&db, Some("department"), None, all()).await.len(), 3);
    assert_eq!(read(&db, Some("employee"), None, all()).await.len(), 0);
}

#[tokio::test]
async fn an_event_cause_names_its_source_and_id() {
    let tdb = TestDatabase::new();
    let db = db(&tdb).await;
    let ctx = AuditContext::for_event("staffing", "ev-1", t0());
    let change = Change::deleted("member", "P1:E1", &json!({"role": "backup"})).unwrap();
    write(&db, ctx, vec![change]).await;

    let entry = &read(&db, None, None, all()).await[0];
    assert_eq!(entry.actor, "event:staffing");
    assert_eq!(entry.action, Action::Deleted);
    assert_eq!(entry.new, None);
    let cause = serde_json::to_value(&entry.cause).unwrap();
    assert_eq!(
        cause,
        json!({"kind": "event", "source": "staffing", "id": "ev-1"})
    );
}

#[tokio::test]
async fn pages_follow_the_cursor_from_newest_to_oldest() {
    let tdb = TestDatabase::new();
    let db = db(&tdb).await;
    let changes = (0..5)
        .map(|i| Change::created("employee", format!("E{i}"), &json!({"n": i})).unwrap())
        .collect();
    write(&db, by_request("import"), changes).await;

    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = PageQuery {
            limit: Some("2".into()),
            cursor,
        }
        .parse()
        .unwrap();
        let rows = read(&db, None, None, page.clone()).await;
        let page = crate::pagination::Page::from_rows(rows, &page, |e| e.id.clone(), |e| e);
        seen.extend(page.items.into_iter().map(|e| e.entity_id));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen, vec!["E4", "E3", "E2", "E1", "E0"]);
}

#[tokio::test]
async fn an_entry_rolls_back_with_the_change_it_records() {
    let tdb = TestDatabase::new();
    let db = db(&tdb).await;
    let result: Result<(), ApiError> = db
        .write(|c| {
            let change = Change::created("department", "sales", &sales("Sales"))?;
            record(c, &by_request("r-1"), change)?;
            Err(ApiError::conflict(crate::text!("no", "不")))
        })
        .await;
    assert!(result.is_err());
    assert!(read(&db, None, None, all()).await.is_empty());
}

#[tokio::test]
async fn the_database_refuses_to_edit_or_remove_entries() {
    let tdb = TestDatabase::new();
    let db = db(&tdb).await;
    let change = Change::created("department", "sales", &sales("Sales")).unwrap();
    write(&db, by_request("r-1"), vec![change]).await;
    for sql in [
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
    ] {
        // Outside a transaction, so that PostgreSQL's refusal does not abort the next one.
        let refused = db
            .read(move |c| Ok::<_, crate::ApiError>(c.batch_execute(sql).is_err()))
            .await
            .unwrap();
        assert!(refused, "{sql}");
    }
    assert_eq!(read(&db, None, None, all()).await[0].actor, "test-manager");
}

fn request_with_token(token: Option<&str>) -> actix_web::HttpRequest {
    let mut store = TokenStore::default();
    store.insert(
        digest("s3cret"),
        Principal {
            digest: String::new(),
            name: "hr-lead".into(),
            roles: vec![Role::Manager],
            employee_id: None,
        },
    );
    let mut req = TestRequest::default().app_data(web::Data::new(store));
    if let Some(t) = token {
        req = req.insert_header(("authorization", format!("Bearer {t}")));
    }
    let req = req.to_http_request();
    req.extensions_mut().insert(RequestId("req-42".into()));
    req
}

#[actix_web::test]
async fn a_request_gives_the_context_its_caller_and_request_id() {
    let ctx = AuditContext::extract(&request_with_token(Some("s3cret")))
        .await
        .unwrap();
    assert_eq!(ctx.actor.as_str(), "hr-lead");
    assert_eq!(ctx.cause, Cause::Request("req-42".into()));

    let anonymous = AuditContext::extract(&request_with_token(None)).await;
    assert_eq!(anonymous.unwrap_err().kind(), ErrorKind::Unauthorized);
}
