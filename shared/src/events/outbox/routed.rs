//! One event on PostgreSQL in one statement: its routes read, the event and its deliveries
//! written, and whatever the caller writes beside it (an audit entry), instead of a read of
//! the routes and then a write. A single-entity write publishes this way.
//!
//! The routes are matched in SQL only while every list of event types that counts is in
//! the plain form this platform stores (a JSON array of strings with no escape, comma,
//! quote or control character in them), where splitting the text on commas is exactly
//! what parsing the JSON gives. If one is not, the statement writes nothing and says so,
//! and the caller routes in Rust as before ([`peers::routes_and_webhooks`]): a peer's
//! declaration that does not parse still counts as undeclared (every event), a webhook's
//! as taking none.
//!
//! [`peers::routes_and_webhooks`]: crate::events::peers::routes_and_webhooks

use diesel::sql_types::{Bool, Text, Timestamp};
use diesel::{PgConnection, QueryableByName, RunQueryDsl};

use super::PENDING;
use crate::db::PgStatement;
use crate::error::{ApiError, ApiResult};
use crate::events::envelope::CloudEvent;

/// The plain form of a stored list of event types (see the module's comment).
const PLAIN_LIST: &str = r#"^\[("[^"\\,[:cntrl:]]*"(,"[^"\\,[:cntrl:]]*")*)?\]$"#;

/// `g` holds the event's values and `routed`: whether every list counted is plain. A
/// peer's list counts unless it is NULL (undeclared), a webhook's while it is active. A
/// webhook's subscriber is named as [`super::webhook_subscriber`] names it. `&&` is
/// "has an element in common".
const HEAD: &str = ")
, g AS (SELECT p.*,
    NOT EXISTS (SELECT 1 FROM peer_subscriptions s WHERE s.event_types !~ p.plain)
    AND NOT EXISTS (SELECT 1 FROM webhook_subscriptions w WHERE w.active AND w.event_types !~ p.plain)
    AS routed FROM p)
, e AS (INSERT INTO outbox_events (id, event_type, subject, payload, created_at)
    SELECT id, event_type, subject, payload, at FROM g WHERE routed RETURNING seq)
, d AS (INSERT INTO outbox_deliveries
    (event_seq, subscriber, subject, status, attempts, next_attempt_at)
    SELECT e.seq, s.subscriber, g.subject, g.status, 0, g.at FROM e CROSS JOIN g CROSS JOIN (
        SELECT ps.peer AS subscriber FROM peer_subscriptions ps, g
        WHERE ps.event_types IS NULL
            OR string_to_array(substr(ps.event_types, 2, length(ps.event_types) - 2), ',')
                && ARRAY['\"' || g.event_type || '\"']
        UNION ALL
        SELECT 'webhook:' || ws.id FROM webhook_subscriptions ws, g
        WHERE ws.active
            AND string_to_array(substr(ws.event_types, 2, length(ws.event_types) - 2), ',')
                && ARRAY['\"*\"', '\"' || g.event_type || '\"']
    ) s)
";

/// Writes beside the event in the same statement, as more CTEs that start with a comma and
/// select `FROM g WHERE routed`, so that they are written exactly when the event is.
pub(crate) type Beside<'a> = Box<dyn FnOnce(PgStatement<'a>) -> PgStatement<'a> + 'a>;

#[derive(QueryableByName)]
struct Routed {
    #[diesel(sql_type = Bool)]
    routed: bool,
}

/// Publishes `event` and writes `beside`, in one statement; false when a stored list of
/// event types is not plain, and then nothing was written.
pub(crate) fn publish_routed<'a>(
    conn: &mut PgConnection,
    event: &'a CloudEvent,
    beside: Option<Beside<'a>>,
) -> ApiResult<bool> {
    let payload = serde_json::to_string(event).map_err(ApiError::internal)?;
    let statement = PgStatement::new("WITH p AS (SELECT ")
        .bind::<Text, _>(&event.id)
        .sql(" AS id, ")
        .bind::<Text, _>(&event.event_type)
        .sql(" AS event_type, ")
        .bind::<Text, _>(event.subject.as_deref().unwrap_or(""))
        .sql(" AS subject, ")
        .bind::<Text, _>(payload)
        .sql(" AS payload, ")
        .bind::<Timestamp, _>(event.time.naive_utc())
        .sql(" AS at, ")
        .bind::<Text, _>(PENDING)
        .sql(" AS status, ")
        .bind::<Text, _>(PLAIN_LIST)
        .sql(" AS plain")
        .sql(HEAD);
    let statement = match beside {
        Some(write) => write(statement),
        None => statement,
    };
    let rows: Vec<Routed> = statement.sql("SELECT routed FROM g").load(conn)?;
    Ok(rows.first().is_some_and(|r| r.routed))
}
