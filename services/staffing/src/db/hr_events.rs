//! Stored HR events and their queries.

use chrono::NaiveDateTime;
use continuity_shared::clock;
use continuity_shared::db::{CorruptRow, DbConnection, DbResult, PgStatement, Statement};
use continuity_shared::events::outbox::Cte;
use continuity_shared::pagination::PageRequest;
use continuity_shared::with_backend;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Nullable, Text, Timestamp};

use super::schema::hr_events;
use crate::domain::hr_event::{HrEventStatus, StoredHrEvent};

// `treat_none_as_default_value = false`: plain values, so that diesel prepares the INSERT
// once per connection (a defaultable value makes it prepare it anew at every execution).
// The nullable columns have no default: None is NULL either way.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = hr_events, treat_none_as_default_value = false)]
pub struct HrEventRow {
    pub id: String,
    pub webhook_id: String,
    pub event_type: String,
    pub payload: String,
    pub received_at: NaiveDateTime,
    pub status: String,
    pub problem: Option<String>,
    pub applied_at: Option<NaiveDateTime>,
    pub attempts: i32,
    pub next_attempt_at: Option<NaiveDateTime>,
}

impl TryFrom<HrEventRow> for StoredHrEvent {
    type Error = CorruptRow;

    fn try_from(r: HrEventRow) -> Result<Self, CorruptRow> {
        let bad = |column| CorruptRow::new("hr_events", &r.id, column);
        Ok(StoredHrEvent {
            status: HrEventStatus::parse(&r.status).ok_or_else(|| bad("status"))?,
            data: serde_json::from_str(&r.payload).map_err(|_| bad("payload"))?,
            attempts: u32::try_from(r.attempts).map_err(|_| bad("attempts"))?,
            next_attempt_at: r.next_attempt_at.map(clock::utc),
            id: r.id,
            webhook_id: r.webhook_id,
            event_type: r.event_type,
            received_at: clock::utc(r.received_at),
            problem: r.problem,
            applied_at: r.applied_at.map(clock::utc),
        })
    }
}

/// Stores a new event unless its `webhook_id` is already known: true when stored. On
/// PostgreSQL a concurrent insert of the same id waits for the first to commit and then
/// stores nothing, so a delivery sent twice at once has one effect.
pub fn insert_new(conn: &mut DbConnection, row: &HrEventRow) -> DbResult<bool> {
    let inserted = with_backend!(conn, |c| diesel::insert_into(hr_events::table)
        .values(row)
        .on_conflict(hr_events::webhook_id)
        .do_nothing()
        .execute(c))?;
    Ok(inserted == 1)
}

/// `row` as one more CTE of a statement that publishes an event (see
/// `outbox::publish_routed`): written exactly when the event is. Its `webhook_id` is
/// inserted plainly, so that one stored already fails the whole statement.
pub fn insert_beside(row: &HrEventRow) -> Cte<'_> {
    Box::new(move |statement: PgStatement<'_>| {
        statement
            .sql(
                ", h AS (INSERT INTO hr_events (id, webhook_id, event_type, payload, \
                 received_at, status, problem, applied_at, attempts, next_attempt_at) SELECT ",
            )
            .bind::<Text, _>(row.id.clone())
            .sql(", ")
            .bind::<Text, _>(row.webhook_id.clone())
            .sql(", ")
            .bind::<Text, _>(row.event_type.clone())
            .sql(", ")
            .bind::<Text, _>(row.payload.clone())
            .sql(", ")
            .bind::<Timestamp, _>(row.received_at)
            .sql(", ")
            .bind::<Text, _>(row.status.clone())
            .sql(", ")
            .bind::<Nullable<Text>, _>(row.problem.clone())
            .sql(", ")
            .bind::<Nullable<Timestamp>, _>(row.applied_at)
            .sql(", ")
            .bind::<Integer, _>(row.attempts)
            .sql(", ")
            .bind::<Nullable<Timestamp>, _>(row.next_attempt_at)
            .sql(" FROM e)\n")
    })
}

pub fn find(conn: &mut DbConnection, id: &str) -> DbResult<Option<StoredHrEvent>> {
    let row = hr_events::table
        .find(id)
        .select(HrEventRow::as_select())
        .get_result(conn)
        .optional()?;
    Ok(row.map(StoredHrEvent::try_from).transpose()?)
}

pub fn find_by_webhook_id(
    conn: &mut DbConnection,
    webhook_id: &str,
) -> DbResult<Option<StoredHrEvent>> {
    let row = hr_events::table
        .filter(hr_events::webhook_id.eq(webhook_id))
        .select(HrEventRow::as_select())
        .get_result(conn)
        .optional()?;
    Ok(row.map(StoredHrEvent::try_from).transpose()?)
}

/// How applying an event went: what its row records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: HrEventStatus,
    pub problem: Option<String>,
    pub applied_at: Option<NaiveDateTime>,
}

impl Outcome {
    pub fn applied(at: NaiveDateTime) -> Self {
        Self {
            status: HrEventStatus::Applied,
            problem: None,
            applied_at: Some(at),
        }
    }

    pub fn unmatched(why: String) -> Self {
        Self {
            status: HrEventStatus::Unmatched,
            problem: Some(why),
            applied_at: None,
        }
    }

    /// `row` with this outcome recorded.
    pub fn on(self, row: HrEventRow) -> HrEventRow {
        HrEventRow {
            status: self.status.as_str().to_owned(),
            problem: self.problem,
            applied_at: self.applied_at,
            ..row
        }
    }
}

/// Records how applying event `id` went: false for an unknown id.
pub fn set_outcome(conn: &mut DbConnection, id: &str, outcome: &Outcome) -> DbResult<bool> {
    // Hand-written so that it is prepared once per connection, as diesel's UPDATE is not.
    let updated = with_backend!(conn, |c| Statement::new("UPDATE hr_events SET status = ")
        .bind::<Text, _>(outcome.status.as_str())
        .sql(", problem = ")
        .bind::<Nullable<Text>, _>(outcome.problem.as_deref())
        .sql(", applied_at = ")
        .bind::<Nullable<Timestamp>, _>(outcome.applied_at)
        .sql(" WHERE id = ")
        .bind::<Text, _>(id)
        .execute(c))?;
    Ok(updated == 1)
}

/// Enriching events due at `now`, the earliest first.
pub fn due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> DbResult<Vec<StoredHrEvent>> {
    Ok(hr_events::table
        .filter(hr_events::status.eq(HrEventStatus::Enriching.as_str()))
        .filter(hr_events::next_attempt_at.le(now))
        .order(hr_events::next_attempt_at.asc())
        .limit(limit)
        .select(HrEventRow::as_select())
        .load(conn)?
        .into_iter()
        .map(StoredHrEvent::try_from)
        .collect::<Result<_, _>>()?)
}

/// Takes a due enriching event for one attempt, pushing its next attempt to `until` (so
/// that another replica leaves it alone meanwhile, and a crash mid-attempt only delays
/// it): true when this caller has it.
pub fn lease(
    conn: &mut DbConnection,
    id: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> DbResult<bool> {
    let n = diesel::update(
        hr_events::table
            .find(id)
            .filter(hr_events::status.eq(HrEventStatus::Enriching.as_str()))
            .filter(hr_events::next_attempt_at.le(now)),
    )
    .set(hr_events::next_attempt_at.eq(until))
    .execute(conn)?;
    Ok(n == 1)
}

/// Records a failed attempt: the count, the next attempt (`None`: given up, unmatched)
/// and why.
pub fn attempt_failed(
    conn: &mut DbConnection,
    id: &str,
    next: Option<NaiveDateTime>,
    problem: &str,
) -> DbResult<()> {
    let status = match next {
        Some(_) => HrEventStatus::Enriching,
        None => HrEventStatus::Unmatched,
    };
    diesel::update(
        hr_events::table
            .find(id)
            .filter(hr_events::status.eq(HrEventStatus::Enriching.as_str())),
    )
    .set((
        hr_events::attempts.eq(hr_events::attempts + 1),
        hr_events::next_attempt_at.eq(next),
        hr_events::status.eq(status.as_str()),
        hr_events::problem.eq(problem),
    ))
    .execute(conn)?;
    Ok(())
}

/// Takes an enriching event to apply what its enrichment found, with the event type and
/// data that came of it: true when it was still enriching. Locked (PostgreSQL) until the
/// transaction ends, like [`claim_unmatched`].
pub fn claim_enriched(
    conn: &mut DbConnection,
    id: &str,
    event_type: &str,
    payload: &str,
) -> DbResult<bool> {
    let n = diesel::update(
        hr_events::table
            .find(id)
            .filter(hr_events::status.eq(HrEventStatus::Enriching.as_str())),
    )
    .set((
        hr_events::event_type.eq(event_type),
        hr_events::payload.eq(payload),
        hr_events::status.eq(HrEventStatus::Applied.as_str()),
        hr_events::next_attempt_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Sends an unmatched event back to enrichment, due `now`, its attempts counted anew:
/// true when it was unmatched.
pub fn enrich_again(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> DbResult<bool> {
    let n = diesel::update(
        hr_events::table
            .find(id)
            .filter(hr_events::status.eq(HrEventStatus::Unmatched.as_str())),
    )
    .set((
        hr_events::status.eq(HrEventStatus::Enriching.as_str()),
        hr_events::attempts.eq(0),
        hr_events::next_attempt_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Takes an unmatched event for a replay: true when it was unmatched. The row stays
/// locked (PostgreSQL) until the transaction ends, so two replays at once apply it once.
pub fn claim_unmatched(conn: &mut DbConnection, id: &str) -> DbResult<bool> {
    let n = diesel::update(
        hr_events::table
            .find(id)
            .filter(hr_events::status.eq(HrEventStatus::Unmatched.as_str())),
    )
    .set(hr_events::status.eq(HrEventStatus::Applied.as_str()))
    .execute(conn)?;
    Ok(n == 1)
}

/// Events by id (time-ordered), optionally of one status.
pub fn list(
    conn: &mut DbConnection,
    status: Option<HrEventStatus>,
    page: &PageRequest,
) -> DbResult<Vec<StoredHrEvent>> {
    let mut query = hr_events::table
        .select(HrEventRow::as_select())
        .order(hr_events::id.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(hr_events::id.gt(after.clone()));
    }
    if let Some(status) = status {
        query = query.filter(hr_events::status.eq(status.as_str()));
    }
    Ok(query
        .load(conn)?
        .into_iter()
        .map(StoredHrEvent::try_from)
        .collect::<Result<_, _>>()?)
}
