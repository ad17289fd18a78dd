//! The outbox: events written in the producer's own transaction, one delivery row per
//! subscriber, claimed in order per subject and marked after each attempt.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::envelope::CloudEvent;
use super::peers;
use super::policy::Decision;
use super::schema::{outbox_deliveries as d, outbox_events as ev};
use crate::db::DbConnection;
use crate::error::{ApiError, ApiResult};
use crate::with_backend;

pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const DEAD: &str = "dead";
pub const CANCELLED: &str = "cancelled";

/// The subscriber name of a webhook subscription.
pub fn webhook_subscriber(subscription_id: &str) -> String {
    format!("webhook:{subscription_id}")
}

/// Writes events to the outbox, each addressed to the peer services that take its type
/// (by their declarations) and to every active webhook subscription for it. Call inside
/// the transaction of the change that caused the events; the routes are read once per
/// call, so publish a batch in one call.
pub fn publish(conn: &mut DbConnection, events: &[CloudEvent]) -> ApiResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let (peers, hooks) = peers::routes_and_webhooks(conn)?;
    let hooks: Vec<(String, Vec<String>)> = hooks
        .into_iter()
        .map(|(id, types)| (id, serde_json::from_str(&types).unwrap_or_default()))
        .collect();
    let subscribers = |event: &CloudEvent| {
        let mut to: Vec<String> = peers.takers(&event.event_type).map(str::to_owned).collect();
        for (id, types) in &hooks {
            if types.iter().any(|t| t == "*" || *t == event.event_type) {
                to.push(webhook_subscriber(id));
            }
        }
        to
    };
    match (&mut *conn, events) {
        (DbConnection::Pg(c), [event]) => publish_one_pg(c, event, &subscribers(event)),
        _ => publish_with(conn, events, subscribers),
    }
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
    publish_with(conn, events, |_| vec![subscriber.to_owned()])
}

// `treat_none_as_default_value = false` (here and below): plain values, so that a batch is
// one multi-row INSERT on SQLite too, not a savepoint and a statement per row.
#[derive(Insertable)]
#[diesel(table_name = ev, treat_none_as_default_value = false)]
struct NewEvent<'a> {
    id: &'a str,
    event_type: &'a str,
    subject: &'a str,
    payload: String,
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
    events: &[CloudEvent],
    subscribers: impl Fn(&CloudEvent) -> Vec<String>,
) -> ApiResult<()> {
    // Due as soon as written: the events' own time is the producer's clock at the change.
    let now = events
        .iter()
        .map(|e| e.time.naive_utc())
        .min()
        .unwrap_or_else(|| chrono::Utc::now().naive_utc());
    // Both backends cap bound parameters per statement; stay well below.
    for chunk in events.chunks(500) {
        let rows = chunk
            .iter()
            .map(|e| {
                Ok(NewEvent {
                    id: &e.id,
                    event_type: &e.event_type,
                    subject: e.subject.as_deref().unwrap_or(""),
                    payload: serde_json::to_string(e).map_err(ApiError::internal)?,
                    created_at: now,
                })
            })
            .collect::<ApiResult<Vec<_>>>()?;
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
            .map(|e| {
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
            for one in &deliveries {
                diesel::insert_into(d::table).values(one).execute(conn)?;
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

/// A delivery claimed by one dispatcher for a while.
#[derive(Debug, Clone, Queryable)]
pub struct Claimed {
    pub event_seq: i64,
    pub subject: String,
    pub attempts: i32,
    pub event_id: String,
    pub event_type: String,
    pub payload: String,
    pub created_at: NaiveDateTime,
}

diesel::alias!(super::schema::outbox_deliveries as earlier: EarlierDeliveries);

/// Deliveries of the same subscriber and subject that come earlier and must go first: one
/// waiting for a retry, held by a dispatcher, or parked as dead.
macro_rules! blocked_by_earlier {
    ($now:expr) => {
        earlier
            .filter(earlier.field(d::subscriber).eq(d::subscriber))
            .filter(earlier.field(d::subject).eq(d::subject))
            .filter(earlier.field(d::event_seq).lt(d::event_seq))
            .filter(
                earlier
                    .field(d::status)
                    .eq(DEAD)
                    .or(earlier.field(d::status).eq(PENDING).and(
                        earlier
                            .field(d::next_attempt_at)
                            .gt($now)
                            .or(earlier.field(d::leased_until).ge($now)),
                    )),
            )
    };
}

/// Subscribers with a delivery that can be claimed now: due, not leased, and not held
/// back by an earlier one of its subject (so a dead event does not keep a dispatcher busy).
pub fn claimable_subscribers(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> ApiResult<Vec<String>> {
    Ok(d::table
        .filter(d::status.eq(PENDING))
        .filter(d::next_attempt_at.le(now))
        .filter(d::leased_until.is_null().or(d::leased_until.lt(now)))
        .filter(diesel::dsl::not(diesel::dsl::exists(blocked_by_earlier!(
            now
        ))))
        .select(d::subscriber)
        .distinct()
        .load(conn)?)
}

/// Claims up to `limit` deliveries for `subscriber`, oldest first, until `lease_until`.
///
/// Order per subject: a delivery is taken only when no earlier delivery of the same
/// subject is waiting for a retry, held by another dispatcher, or parked as dead. A batch
/// may carry several events of one subject, in order. Call inside a transaction.
pub fn claim(
    conn: &mut DbConnection,
    subscriber: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> ApiResult<Vec<Claimed>> {
    let blocked = blocked_by_earlier!(now);
    let candidates: Vec<Claimed> = d::table
        .inner_join(ev::table)
        .filter(d::subscriber.eq(subscriber))
        .filter(d::status.eq(PENDING))
        .filter(d::next_attempt_at.le(now))
        .filter(d::leased_until.is_null().or(d::leased_until.lt(now)))
        .filter(diesel::dsl::not(diesel::dsl::exists(blocked)))
        .order(d::event_seq.asc())
        .limit(limit)
        .select((
            d::event_seq,
            d::subject,
            d::attempts,
            ev::id,
            ev::event_type,
            ev::payload,
            ev::created_at,
        ))
        .load(conn)?;
    if candidates.is_empty() {
        return Ok(candidates);
    }
    let seqs: Vec<i64> = candidates.iter().map(|c| c.event_seq).collect();
    let target = d::table
        .filter(d::subscriber.eq(subscriber))
        .filter(d::event_seq.eq_any(&seqs))
        .filter(d::status.eq(PENDING))
        .filter(d::leased_until.is_null().or(d::leased_until.lt(now)));
    // Another dispatcher (a replica on PostgreSQL) may have taken some rows meanwhile;
    // RETURNING tells which ones are ours.
    let won: HashSet<i64> = with_backend!(&mut *conn, |c| {
        diesel::update(target)
            .set(d::leased_until.eq(Some(lease_until)))
            .returning(d::event_seq)
            .get_results::<i64>(c)
    })?
    .into_iter()
    .collect();
    // If we lost an earlier event of a subject, we must not deliver its later ones.
    let mut lost_subjects = HashSet::new();
    let mut ours = Vec::with_capacity(won.len());
    let mut release = Vec::new();
    for c in candidates {
        if !won.contains(&c.event_seq) {
            lost_subjects.insert(c.subject);
        } else if lost_subjects.contains(&c.subject) {
            release.push(c.event_seq);
        } else {
            ours.push(c);
        }
    }
    if !release.is_empty() {
        diesel::update(
            d::table
                .filter(d::subscriber.eq(subscriber))
                .filter(d::event_seq.eq_any(&release)),
        )
        .set(d::leased_until.eq(None::<NaiveDateTime>))
        .execute(conn)?;
    }
    Ok(ours)
}

/// Records one attempt's decision for the given deliveries of `subscriber`.
pub fn record(
    conn: &mut DbConnection,
    subscriber: &str,
    seqs: &[i64],
    decision: Decision,
    status_code: Option<u16>,
    error: Option<&str>,
    now: NaiveDateTime,
) -> ApiResult<()> {
    let rows = d::table
        .filter(d::subscriber.eq(subscriber))
        .filter(d::event_seq.eq_any(seqs));
    let status_code = status_code.map(i32::from);
    let error = error.map(|e| e.chars().take(500).collect::<String>());
    let common = (
        d::attempts.eq(d::attempts + 1),
        d::leased_until.eq(None::<NaiveDateTime>),
        d::last_status.eq(status_code),
        d::last_error.eq(error),
    );
    match decision {
        Decision::Delivered => diesel::update(rows)
            .set((
                common,
                d::status.eq(DELIVERED),
                d::delivered_at.eq(Some(now)),
            ))
            .execute(conn)?,
        Decision::RetryAt(at) => diesel::update(rows)
            .set((common, d::next_attempt_at.eq(at)))
            .execute(conn)?,
        Decision::Dead => diesel::update(rows)
            .set((common, d::status.eq(DEAD)))
            .execute(conn)?,
        Decision::Release => diesel::update(rows)
            .set(d::leased_until.eq(None::<NaiveDateTime>))
            .execute(conn)?,
    };
    Ok(())
}

/// Extends the lease of deliveries still in flight.
pub fn renew(
    conn: &mut DbConnection,
    subscriber: &str,
    seqs: &[i64],
    until: NaiveDateTime,
) -> ApiResult<()> {
    diesel::update(
        d::table
            .filter(d::subscriber.eq(subscriber))
            .filter(d::event_seq.eq_any(seqs))
            .filter(d::status.eq(PENDING))
            .filter(d::leased_until.is_not_null()),
    )
    .set(d::leased_until.eq(Some(until)))
    .execute(conn)?;
    Ok(())
}

/// Pending and dead deliveries per subscriber, for metrics.
pub fn backlog(conn: &mut DbConnection) -> ApiResult<Vec<(String, String, i64)>> {
    Ok(d::table
        .filter(d::status.eq(PENDING).or(d::status.eq(DEAD)))
        .group_by((d::subscriber, d::status))
        .select((d::subscriber, d::status, diesel::dsl::count_star()))
        .load(conn)?)
}

/// Makes every dead delivery of an event pending again, due now; how many there were.
pub fn retry_dead(
    conn: &mut DbConnection,
    event_id: &str,
    now: NaiveDateTime,
) -> ApiResult<Option<usize>> {
    let seq: Option<i64> = ev::table
        .filter(ev::id.eq(event_id))
        .select(ev::seq)
        .get_result(conn)
        .optional()?;
    let Some(seq) = seq else { return Ok(None) };
    let n = diesel::update(
        d::table
            .filter(d::event_seq.eq(seq))
            .filter(d::status.eq(DEAD)),
    )
    .set((
        d::status.eq(PENDING),
        d::attempts.eq(0),
        d::next_attempt_at.eq(now),
        d::leased_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(Some(n))
}

/// Cancels what is still pending for a subscriber (a deleted webhook subscription).
pub fn cancel_pending(conn: &mut DbConnection, subscriber: &str) -> ApiResult<usize> {
    Ok(diesel::update(
        d::table
            .filter(d::subscriber.eq(subscriber))
            .filter(d::status.eq(PENDING)),
    )
    .set(d::status.eq(CANCELLED))
    .execute(conn)?)
}

/// One row of the admin view of the outbox.
#[derive(Debug, Clone, Queryable)]
pub struct DeliveryView {
    pub event_seq: i64,
    pub subscriber: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub event_id: String,
    pub event_type: String,
    pub subject: String,
    pub created_at: NaiveDateTime,
}

/// Deliveries in one status, oldest first, after the `(seq, subscriber)` key `after`.
pub fn list(
    conn: &mut DbConnection,
    status: &str,
    subscriber: Option<&str>,
    after: Option<(i64, String)>,
    limit: i64,
) -> ApiResult<Vec<DeliveryView>> {
    let mut q = d::table
        .inner_join(ev::table)
        .filter(d::status.eq(status.to_owned()))
        .order((d::event_seq.asc(), d::subscriber.asc()))
        .limit(limit)
        .select((
            d::event_seq,
            d::subscriber,
            d::status,
            d::attempts,
            d::next_attempt_at,
            d::last_status,
            d::last_error,
            ev::id,
            ev::event_type,
            ev::subject,
            ev::created_at,
        ))
        .into_boxed();
    if let Some(s) = subscriber {
        q = q.filter(d::subscriber.eq(s.to_owned()));
    }
    if let Some((seq, sub)) = after {
        q = q.filter(
            d::event_seq
                .gt(seq)
                .or(d::event_seq.eq(seq).and(d::subscriber.gt(sub))),
        );
    }
    Ok(q.load(conn)?)
}

/// Deliveries per subscriber and status.
pub fn stats(conn: &mut DbConnection) -> ApiResult<Vec<(String, String, i64)>> {
    Ok(d::table
        .group_by((d::subscriber, d::status))
        .select((d::subscriber, d::status, diesel::dsl::count_star()))
        .order(d::subscriber.asc())
        .load(conn)?)
}

/// When each event about one of `subjects` was written to the outbox, by event id (for
/// measuring delivery latency).
pub fn written_at(
    conn: &mut DbConnection,
    subjects: &[String],
) -> ApiResult<Vec<(String, NaiveDateTime)>> {
    Ok(ev::table
        .filter(ev::subject.eq_any(subjects))
        .select((ev::id, ev::created_at))
        .load(conn)?)
}
