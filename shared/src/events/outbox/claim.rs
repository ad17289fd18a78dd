//! What a dispatcher claims, marks after each attempt and renews while in flight.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::ApiResult;
use crate::events::policy::Decision;
use crate::events::schema::{outbox_deliveries as d, outbox_events as ev};
use crate::with_backend;

use super::{DEAD, DELIVERED, PENDING};

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

diesel::alias!(crate::events::schema::outbox_deliveries as earlier: EarlierDeliveries);

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
        Decision::Delivered => {
            let n = diesel::update(rows)
                .set((
                    common,
                    d::status.eq(DELIVERED),
                    d::delivered_at.eq(Some(now)),
                ))
                .execute(conn)?;
            // The subscriber answers again: what waits only because it could not be
            // reached (no HTTP status) goes now instead of at its backed-off time. What
            // it refused keeps its backoff, so a poison event cannot burn its attempts.
            diesel::update(
                d::table
                    .filter(d::subscriber.eq(subscriber))
                    .filter(d::status.eq(PENDING))
                    .filter(d::attempts.gt(0))
                    .filter(d::last_status.is_null())
                    .filter(d::leased_until.is_null())
                    .filter(d::next_attempt_at.gt(now)),
            )
            .set(d::next_attempt_at.eq(now))
            .execute(conn)?;
            n
        }
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
