//! One event on PostgreSQL in one statement: its routes read, the event and its deliveries
//! written, and whatever the caller writes with it (the changed row before it, an audit
//! entry beside it), instead of a read of the routes and then a write for each. A
//! single-entity write publishes this way.
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
/// peer's list counts unless it is NULL (undeclared), a webhook's while it is active.
const HEAD: &str = ")
, g AS (SELECT p.*,
    NOT EXISTS (SELECT 1 FROM peer_subscriptions s WHERE s.event_types !~ p.plain)
    AND NOT EXISTS (SELECT 1 FROM webhook_subscriptions w WHERE w.active AND w.event_types !~ p.plain)
    AS routed FROM p)
";

/// The event and its deliveries, written when `routed` and the caller's write `w` applied.
/// A webhook's subscriber is named as [`super::webhook_subscriber`] names it. `&&` is
/// "has an element in common".
const EVENT: &str = "
, e AS (INSERT INTO outbox_events (id, event_type, subject, payload, created_at)
    SELECT id, event_type, subject, payload, at FROM g
    WHERE routed AND EXISTS (SELECT 1 FROM w) RETURNING seq)
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

/// More CTEs of the statement, each starting with a comma. The changed row's write is the
/// CTE `w`: it writes only while `(SELECT routed FROM g)` and returns a row when it
/// applied. What is written beside the event selects `FROM e` (one row when the event was
/// written), so that it is written exactly when the event is.
/// The values it binds are its own (cloned), so that it fits a statement of any lifetime.
pub type Cte<'c> = Box<dyn for<'s> FnOnce(PgStatement<'s>) -> PgStatement<'s> + 'c>;

/// `first`'s CTEs, then `second`'s.
pub fn both<'c>(first: Cte<'c>, second: Cte<'c>) -> Cte<'c> {
    Box::new(move |statement| second(first(statement)))
}

#[derive(QueryableByName)]
struct Outcome {
    #[diesel(sql_type = Bool)]
    routed: bool,
    #[diesel(sql_type = Bool)]
    applied: bool,
}

/// Writes `write` (the CTE `w`), then `event` and `beside` if it applied, in one
/// statement: whether `w` applied, or `None` when a stored list of event types is not
/// plain, and then nothing was written.
pub(crate) fn publish_routed(
    conn: &mut PgConnection,
    event: &CloudEvent,
    write: Option<Cte<'_>>,
    beside: Option<Cte<'_>>,
) -> ApiResult<Option<bool>> {
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
    let statement = match write {
        Some(write) => write(statement),
        // Nothing of the caller's to wait for.
        None => statement.sql(", w AS (SELECT 1)"),
    };
    let statement = statement.sql(EVENT);
    let statement = match beside {
        Some(beside) => beside(statement),
        None => statement,
    };
    let rows: Vec<Outcome> = statement
        .sql("SELECT routed, EXISTS (SELECT 1 FROM w) AS applied FROM g")
        .load(conn)?;
    Ok(match rows.first() {
        Some(o) if o.routed => Some(o.applied),
        _ => None,
    })
}
