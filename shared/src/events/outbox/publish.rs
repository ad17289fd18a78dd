//! Writing events and their deliveries in the caller's transaction.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::{ApiError, ApiResult};
use crate::events::envelope::CloudEvent;
use crate::events::peers;
use crate::events::schema::{outbox_deliveries as d, outbox_events as ev};
use crate::with_backend;

use super::{PENDING, webhook_subscriber};

/// Writes events to the outbox, each addressed to the peer services that take its type
/// (by their declarations) and to every active webhook subscription for it. Call inside
/// the transaction of the change that caused the events; the routes are read once per
/// call, so publish a batch in one call. One event on PostgreSQL is one statement, the
/// routes read in it (see `routed`).
pub fn publish(conn: &mut DbConnection, events: &[CloudEvent]) -> ApiResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    if let (DbConnection::Pg(c), [event]) = (&mut *conn, events)
        && super::routed::publish_routed(c, event, None, None)?.is_some()
    {
        return Ok(());
    }
    publish_read_routes(conn, events)
}

/// [`publish`] with the routes read first, then the writes.
pub(crate) fn publish_read_routes(conn: &mut DbConnection, events: &[CloudEvent]) -> ApiResult<()> {
    let (peers, hooks) = routes(conn)?;
    let subscribers = |event: &CloudEvent| subscribers_of(&peers, &hooks, event);
    match (&mut *conn, events) {
        (DbConnection::Pg(c), [event]) => publish_one_pg(c, event, &subscribers(event)),
        _ => serialize_and_publish(conn, events, subscribers),
    }
}

/// Active webhook subscriptions, each with the event types it takes.
type Hooks = Vec<(String, Vec<String>)>;

/// The peers' declared routes and the active webhook subscriptions.
fn routes(conn: &mut DbConnection) -> ApiResult<(peers::PeerRoutes, Hooks)> {
    let (peers, hooks) = peers::routes_and_webhooks(conn)?;
    let hooks = hooks
        .into_iter()
        .map(|(id, types)| (id, serde_json::from_str(&types).unwrap_or_default()))
        .collect();
    Ok((peers, hooks))
}

/// Who receives `event`: the peers that take its type, then the webhooks for it.
fn subscribers_of(peers: &peers::PeerRoutes, hooks: &Hooks, event: &CloudEvent) -> Vec<String> {
    let mut to: Vec<String> = peers.takers(&event.event_type).map(str::to_owned).collect();
    for (id, types) in hooks {
        if types.iter().any(|t| t == "*" || *t == event.event_type) {
            to.push(webhook_subscriber(id));
        }
    }
    to
}

/// An event with its payload already written as JSON: made on another thread than the
/// one holding the write transaction when there are thousands (an import), then
/// published with [`publish_serialized`].
#[derive(Debug)]
pub struct Serialized {
    event: CloudEvent,
    payload: String,
}

impl Serialized {
    pub fn new(event: CloudEvent) -> ApiResult<Self> {
        let payload = serde_json::to_string(&event).map_err(ApiError::internal)?;
        Ok(Self { event, payload })
    }
}

/// [`publish`] for events serialized beforehand.
pub fn publish_serialized(conn: &mut DbConnection, events: &[Serialized]) -> ApiResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let (peers, hooks) = routes(conn)?;
    let pairs: Vec<_> = events
        .iter()
        .map(|s| (&s.event, s.payload.as_str()))
        .collect();
    publish_with(conn, &pairs, |e| subscribers_of(&peers, &hooks, e))
}

/// One event and its deliveries in one statement (one round trip, a statement prepared
/// once per connection): what a single-entity write publishes on PostgreSQL.
fn publish_one_pg(
    conn: &mut diesel::PgConnection,
    event: &CloudEvent,
    subscribers: &[String],
) -> ApiResult<()> {
    use diesel::sql_types::{Array, Text, Timestamp};
    let payload = serde_json::to_string(event).map_err(ApiError::internal)?;
    diesel::sql_query(
        "WITH e AS (INSERT INTO outbox_events (id, event_type, subject, payload, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING seq) \
         INSERT INTO outbox_deliveries \
         (event_seq, subscriber, subject, status, attempts, next_attempt_at) \
         SELECT e.seq, s.subscriber, $3, $6, 0, $5 FROM e CROSS JOIN unnest($7) AS s(subscriber)",
    )
    .bind::<Text, _>(&event.id)
    .bind::<Text, _>(&event.event_type)
    .bind::<Text, _>(event.subject.as_deref().unwrap_or(""))
    .bind::<Text, _>(payload)
    .bind::<Timestamp, _>(event.time.naive_utc())
    .bind::<Text, _>(PENDING)
    .bind::<Array<Text>, _>(subscribers)
    .execute(conn)?;
    Ok(())
}

/// Writes events to the outbox for one subscriber only (a replay or snapshot).
pub fn publish_to(
    conn: &mut DbConnection,
    events: &[CloudEvent],
    subscriber: &str,
) -> ApiResult<()> {
    serialize_and_publish(conn, events, |_| vec![subscriber.to_owned()])
}

/// [`publish_with`] for events whose payloads are not written yet.
fn serialize_and_publish(
    conn: &mut DbConnection,
    events: &[CloudEvent],
    subscribers: impl Fn(&CloudEvent) -> Vec<String>,
) -> ApiResult<()> {
    let payloads = events
        .iter()
        .map(|e| serde_json::to_string(e).map_err(ApiError::internal))
        .collect::<ApiResult<Vec<_>>>()?;
    let pairs: Vec<_> = events
        .iter()
        .zip(payloads.iter().map(String::as_str))
        .collect();
    publish_with(conn, &pairs, subscribers)
}

// `treat_none_as_default_value = false` (here and below): plain values, so that a batch is
// one multi-row INSERT on SQLite too, not a savepoint and a statement per row.
#[derive(Insertable)]
#[diesel(table_name = ev, treat_none_as_default_value = false)]
struct NewEvent<'a> {
    id: &'a str,
    event_type: &'a str,
    subject: &'a str,
    payload: &'a str,
    created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = d, treat_none_as_default_value = false)]
struct NewDelivery {
    event_seq: i64,
    subscriber: String,
    subject: String,
    status: &'static str,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
}

fn publish_with(
    conn: &mut DbConnection,
    events: &[(&CloudEvent, &str)],
    subscribers: impl Fn(&CloudEvent) -> Vec<String>,
) -> ApiResult<()> {
    // Due as soon as written: the events' own time is the producer's clock at the change.
    let now = events
        .iter()
        .map(|(e, _)| e.time.naive_utc())
        .min()
        .unwrap_or_else(|| chrono::Utc::now().naive_utc());
    // Both backends cap bound parameters per statement; stay well below.
    for chunk in events.chunks(500) {
        let rows: Vec<NewEvent> = chunk
            .iter()
            .map(|&(e, payload)| NewEvent {
                id: &e.id,
                event_type: &e.event_type,
                subject: e.subject.as_deref().unwrap_or(""),
                payload,
                created_at: now,
            })
            .collect();
        // Neither backend promises RETURNING in the order of VALUES: match by event id.
        let seqs: HashMap<String, i64> = match rows.as_slice() {
            // One row: a statement diesel prepares once per connection.
            [row] => with_backend!(&mut *conn, |c| {
                diesel::insert_into(ev::table)
                    .values(row)
                    .returning((ev::id, ev::seq))
                    .get_results::<(String, i64)>(c)
            })?,
            _ => with_backend!(&mut *conn, |c| {
                diesel::insert_into(ev::table)
                    .values(&rows)
                    .returning((ev::id, ev::seq))
                    .get_results::<(String, i64)>(c)
            })?,
        }
        .into_iter()
        .collect();
        let deliveries: Vec<NewDelivery> = chunk
            .iter()
            .map(|&(e, _)| {
                let seq = seqs
                    .get(&e.id)
                    .copied()
                    .ok_or_else(|| ApiError::internal(format!("event {} was not written", e.id)))?;
                Ok((e, seq))
            })
            .collect::<ApiResult<Vec<_>>>()?
            .into_iter()
            .flat_map(|(e, seq)| {
                subscribers(e)
                    .into_iter()
                    .map(move |subscriber| NewDelivery {
                        event_seq: seq,
                        subscriber,
                        subject: e.subject.clone().unwrap_or_default(),
                        status: PENDING,
                        attempts: 0,
                        next_attempt_at: now,
                    })
            })
            .collect();
        if deliveries.len() <= 8 {
            // A few rows: one prepared statement each beats preparing a new multi-row one.
            // On the backend's own connection: the `MultiConnection` rebuilds the SQL
            // text of a statement at every execution.
            for one in &deliveries {
                with_backend!(&mut *conn, |c| diesel::insert_into(d::table)
                    .values(one)
                    .execute(c))?;
            }
        } else {
            for part in deliveries.chunks(1000) {
                with_backend!(&mut *conn, |c| diesel::insert_into(d::table)
                    .values(part)
                    .execute(c))?;
            }
        }
    }
    Ok(())
}
