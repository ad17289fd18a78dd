//! Where one published event goes, on both backends: on PostgreSQL it is routed inside
//! its own statement while the stored lists of event types are plain JSON, and in Rust as
//! before when one is not; both must address the same subscribers.

use diesel::prelude::*;

use super::schema::{outbox_deliveries as d, outbox_events as ev};
use super::schema::{peer_subscriptions as ps, webhook_subscriptions as ws};
use super::{CloudEvent, outbox};
use crate::audit::{self, Actor, AuditContext, Cause, Change};
use crate::db::{COMMON, Db, DbConnection};
use crate::settings::{DatabaseUrl, Settings};
use crate::testing::TestDatabase;
use continuity_contract::EmployeeStatus;
use continuity_contract::payloads::EmployeeUpserted;

// The audit trail's table is private to its module; counting its rows is all this needs.
diesel::table! {
    audit_log (id) {
        id -> Text,
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

fn event(id: &str) -> CloudEvent {
    let data = EmployeeUpserted {
        employee_id: id.parse().unwrap(),
        name: "Li Lei".parse().unwrap(),
        department_code: "sales".parse().unwrap(),
        hire_date: None,
        status: EmployeeStatus::Active,
        last_working_day: None,
    };
    CloudEvent::new("staffing", &data, crate::clock::now()).unwrap()
}

fn set_peer(c: &mut DbConnection, peer: &str, types: Option<&str>) -> QueryResult<()> {
    diesel::delete(ps::table.find(peer)).execute(c)?;
    diesel::insert_into(ps::table)
        .values((
            ps::peer.eq(peer),
            ps::event_types.eq(types),
            ps::updated_at.eq(crate::clock::now().naive_utc()),
        ))
        .execute(c)?;
    Ok(())
}

fn add_hook(c: &mut DbConnection, id: &str, types: &str, active: bool) -> QueryResult<()> {
    diesel::insert_into(ws::table)
        .values((
            ws::id.eq(id),
            ws::url.eq("https://example.com/hook"),
            ws::event_types.eq(types),
            ws::secret.eq("s"),
            ws::active.eq(active),
            ws::created_at.eq(crate::clock::now().naive_utc()),
        ))
        .execute(c)?;
    Ok(())
}

/// Publishes `event` (with an audit entry when `audited`) and answers its subscribers,
/// sorted, and how many audit entries there are now.
async fn publish(db: &Db, event: CloudEvent, audited: bool) -> (Vec<String>, i64) {
    db.write(move |c| {
        if audited {
            let ctx = AuditContext {
                actor: Actor::event("test"),
                cause: Cause::Request("r-1".into()),
                at: crate::clock::now(),
            };
            let change = Change::created("employee", "E1", &serde_json::json!({"a": 1}))?;
            audit::record_and_publish(c, &ctx, Some(change), std::slice::from_ref(&event))?;
        } else {
            outbox::publish(c, std::slice::from_ref(&event))?;
        }
        let mut to: Vec<String> = d::table
            .inner_join(ev::table)
            .filter(ev::id.eq(&event.id))
            .select(d::subscriber)
            .load(c)?;
        to.sort();
        let entries: i64 = audit_log::table.count().get_result(c)?;
        Ok::<_, crate::ApiError>((to, entries))
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn one_event_goes_to_the_same_subscribers_whether_the_stored_lists_are_plain_or_not() {
    let tdb = TestDatabase::new();
    let db = db(&tdb).await;
    db.write(|c| {
        set_peer(c, "a", None)?;
        set_peer(
            c,
            "b",
            Some(r#"["department.upserted","employee.upserted"]"#),
        )?;
        set_peer(c, "c", Some(r#"["other.thing"]"#))?;
        set_peer(c, "d", Some("[]"))?;
        add_hook(c, "h1", r#"["*"]"#, true)?;
        add_hook(c, "h2", r#"["employee.upserted","x.y"]"#, true)?;
        add_hook(c, "h3", r#"["employee.upserted"]"#, false)?;
        add_hook(c, "h4", r#"["employee.upserted.not"]"#, true)?;
        Ok::<_, crate::db::DbError>(())
    })
    .await
    .unwrap();
    let plain = ["a", "b", "webhook:h1", "webhook:h2"];
    assert_eq!(
        publish(&db, event("E1"), false).await,
        (plain.map(String::from).to_vec(), 0)
    );
    assert_eq!(
        publish(&db, event("E1"), true).await,
        (plain.map(String::from).to_vec(), 1)
    );

    // JSON this platform does not write, read as Rust reads it: with spaces it parses;
    // a peer's list that does not parse is every event, a webhook's none.
    db.write(|c| {
        set_peer(c, "c", Some(r#"[ "employee.upserted" ]"#))?;
        set_peer(c, "e", Some("not json"))?;
        add_hook(c, "h5", "not json", true)?;
        add_hook(c, "h6", r#"["employee.upserted", "*"]"#, true)?;
        Ok::<_, crate::db::DbError>(())
    })
    .await
    .unwrap();
    let mixed: Vec<String> = ["a", "b", "c", "e", "webhook:h1", "webhook:h2", "webhook:h6"]
        .map(String::from)
        .to_vec();
    assert_eq!(publish(&db, event("E2"), false).await, (mixed.clone(), 1));
    assert_eq!(publish(&db, event("E2"), true).await, (mixed, 2));
}
