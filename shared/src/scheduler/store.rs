//! The scheduler's queries: claim a job's slot, keep its lease, record the outcome. Each
//! runs in the caller's transaction (`Db::write`), which on SQLite holds the write lock
//! from `BEGIN` and on PostgreSQL locks the row, so two replicas cannot both claim.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::scheduled_jobs as j;
use crate::db::DbConnection;
use crate::error::ApiResult;
use crate::with_backend;

/// Longest error kept in `last_error`: enough for a cause chain, not a whole dump.
const ERROR_CHARS: usize = 2000;

/// Claims `name` for `slot` when that slot is not done yet and no live lease holds the
/// job. `Some(previous)` (the last slot completed) when this replica won it.
pub(super) fn claim(
    conn: &mut DbConnection,
    name: &str,
    replica: &str,
    slot: NaiveDateTime,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> ApiResult<Option<Option<NaiveDateTime>>> {
    let row = (j::name.eq(name), j::updated_at.eq(now));
    with_backend!(&mut *conn, |c| diesel::insert_into(j::table)
        .values(row)
        .on_conflict(j::name)
        .do_nothing()
        .execute(c))?;
    let won = diesel::update(
        j::table
            .find(name)
            .filter(j::leased_until.is_null().or(j::leased_until.le(now)))
            .filter(j::last_due.is_null().or(j::last_due.lt(slot))),
    )
    .set((
        j::leased_by.eq(replica),
        j::leased_until.eq(lease_until),
        j::updated_at.eq(now),
    ))
    .execute(conn)?;
    if won != 1 {
        return Ok(None);
    }
    let previous = j::table.find(name).select(j::last_due).first(conn)?;
    Ok(Some(previous))
}

/// Extends this replica's lease; false when it no longer holds it.
pub(super) fn renew(
    conn: &mut DbConnection,
    name: &str,
    replica: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> ApiResult<bool> {
    let renewed = diesel::update(j::table.find(name).filter(j::leased_by.eq(replica)))
        .set((j::leased_until.eq(lease_until), j::updated_at.eq(now)))
        .execute(conn)?;
    Ok(renewed == 1)
}

/// Records a run and frees the lease: on success the slot is done; on failure it stays
/// due (retried at the next tick) and the error is kept. False when another replica had
/// taken the lease meanwhile, whose record then stands.
pub(super) fn finish(
    conn: &mut DbConnection,
    name: &str,
    replica: &str,
    slot: NaiveDateTime,
    now: NaiveDateTime,
    error: Option<String>,
) -> ApiResult<bool> {
    let ours = j::table.find(name).filter(j::leased_by.eq(replica));
    let free = (
        j::leased_by.eq(None::<String>),
        j::leased_until.eq(None::<NaiveDateTime>),
        j::updated_at.eq(now),
    );
    let updated = match error {
        None => diesel::update(ours)
            .set((free, j::last_due.eq(slot), j::last_error.eq(None::<String>)))
            .execute(conn)?,
        Some(e) => diesel::update(ours)
            .set((
                free,
                j::last_error.eq(e.chars().take(ERROR_CHARS).collect::<String>()),
            ))
            .execute(conn)?,
    };
    Ok(updated == 1)
}
