//! What operators and metrics read of the outbox, and requeue or cancel.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::ApiResult;
use crate::events::schema::{outbox_deliveries as d, outbox_events as ev};

use super::{CANCELLED, DEAD, PENDING};

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
