//! Retention: what the outbox, inbox, webhook log and idempotency keys no longer need is
//! removed, so the tables stay the size of the recent past. Nothing pending or dead is
//! ever removed.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::outbox::{CANCELLED, DELIVERED};
use super::schema::{
    inbox_events as ib, outbox_deliveries as d, outbox_events as ev, webhook_attempts as wa,
};
use crate::db::DbConnection;
use crate::error::ApiResult;
use crate::idempotency::schema::idempotency_keys as ik;
use crate::settings::EventSettings;

/// Idempotency keys answer retries for a day, as is usual for such keys.
pub const IDEMPOTENCY_HOURS: i64 = 24;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub deliveries: usize,
    pub events: usize,
    pub inbox: usize,
    pub attempts: usize,
    pub idempotency_keys: usize,
}

/// Removes what is older than the retention periods as of `now`. Call in a transaction.
pub fn prune(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    settings: &EventSettings,
) -> ApiResult<Pruned> {
    let cutoff = now - Duration::hours(settings.retention_hours);
    let old_events = ev::table.filter(ev::created_at.lt(cutoff)).select(ev::seq);
    let deliveries = diesel::delete(
        d::table
            .filter(d::status.eq(DELIVERED).or(d::status.eq(CANCELLED)))
            .filter(d::event_seq.eq_any(old_events)),
    )
    .execute(conn)?;
    let still_owed = d::table
        .filter(d::event_seq.eq(ev::seq))
        .select(d::event_seq);
    let events = diesel::delete(
        ev::table
            .filter(ev::created_at.lt(cutoff))
            .filter(diesel::dsl::not(diesel::dsl::exists(still_owed))),
    )
    .execute(conn)?;
    let inbox_cutoff = now - Duration::hours(settings.inbox_retention_hours);
    let inbox = diesel::delete(ib::table.filter(ib::received_at.lt(inbox_cutoff))).execute(conn)?;
    let attempts = diesel::delete(wa::table.filter(wa::attempted_at.lt(cutoff))).execute(conn)?;
    let keys_cutoff = now - Duration::hours(IDEMPOTENCY_HOURS);
    let idempotency_keys =
        diesel::delete(ik::table.filter(ik::created_at.lt(keys_cutoff))).execute(conn)?;
    Ok(Pruned {
        deliveries,
        events,
        inbox,
        attempts,
        idempotency_keys,
    })
}
