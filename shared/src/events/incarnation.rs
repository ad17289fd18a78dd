//! Incarnations: a random id made once per database. A receiver names its own in every
//! answer to `POST /v1/events`; a producer records the ones it has delivered to. A peer
//! that asks for a snapshot under an incarnation the producer has not delivered to before,
//! while it had delivered to another, lost its database: it needs the snapshot. No clocks
//! are compared, so the decision holds however deliveries and the request interleave.

use diesel::prelude::*;

use super::schema::{local_incarnation as li, peer_incarnations as pi};
use crate::db::DbConnection;
use crate::error::ApiResult;
use crate::with_backend;

/// This database's incarnation, made on first use.
pub fn local(conn: &mut DbConnection) -> ApiResult<String> {
    let existing: Option<String> = li::table.select(li::incarnation).first(conn).optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let id = crate::ids::new_id().to_string();
    diesel::insert_into(li::table)
        .values((
            li::incarnation.eq(&id),
            li::created_at.eq(crate::clock::now().naive_utc()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Notes that `subscriber`'s database `incarnation` received deliveries.
pub fn record_peer(conn: &mut DbConnection, subscriber: &str, incarnation: &str) -> ApiResult<()> {
    let row = (
        pi::subscriber.eq(subscriber),
        pi::incarnation.eq(incarnation),
        pi::snapshot_sent.eq(false),
        pi::first_seen_at.eq(crate::clock::now().naive_utc()),
    );
    with_backend!(&mut *conn, |c| diesel::insert_into(pi::table)
        .values(row)
        .on_conflict((pi::subscriber, pi::incarnation))
        .do_nothing()
        .execute(c))?;
    Ok(())
}

/// True once per new incarnation of a peer that had another before; marks it answered.
pub fn claim_snapshot(
    conn: &mut DbConnection,
    subscriber: &str,
    incarnation: &str,
) -> ApiResult<bool> {
    let others: i64 = pi::table
        .filter(pi::subscriber.eq(subscriber))
        .filter(pi::incarnation.ne(incarnation))
        .count()
        .get_result(conn)?;
    if others == 0 {
        return Ok(false);
    }
    record_peer(conn, subscriber, incarnation)?;
    let claimed = diesel::update(
        pi::table
            .find((subscriber, incarnation))
            .filter(pi::snapshot_sent.eq(false)),
    )
    .set(pi::snapshot_sent.eq(true))
    .execute(conn)?;
    Ok(claimed == 1)
}
