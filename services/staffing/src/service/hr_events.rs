//! Receiving, applying, listing and replaying the HR system's events. An event is stored
//! and applied in one transaction, committed before the webhook answers; its employee
//! changes go through [`employees::change_in`] like every other path, audited with the
//! event named as their cause.

use chrono::{DateTime, SubsecRound, Utc};
use continuity_shared::audit::{Actor, AuditContext, Cause};
use continuity_shared::db::{Db, DbConnection, DbError};
use continuity_shared::error::ErrorKind;
use continuity_shared::i18n::Text;
use continuity_shared::pagination::PageRequest;
use continuity_shared::{ApiError, ids};

use super::errors::{StaffingError, StaffingResult};
use super::{Put, employees};
use crate::db::employees as employee_rows;
use crate::db::hr_events::{self as rows, HrEventRow, Outcome};
use crate::domain::Versioned;
use crate::domain::employee::Employee;
use crate::domain::hr_effect::{Effect, Unmatched, effect};
use crate::domain::hr_event::{HrEvent, HrEventStatus, StoredHrEvent};
use crate::hr_sources::mapping::pending;
use crate::settings::Rules;

/// The audit trail's and the events' name for the HR system.
pub const SOURCE: &str = "hr";

/// What receiving a delivery did.
#[derive(Debug, Clone)]
pub struct Received {
    pub event: StoredHrEvent,
    /// False for a `webhook-id` seen before: nothing was done again.
    pub fresh: bool,
}

/// Stores and applies a delivery, once per `webhook-id`: a repeat, even one that arrives
/// while the first is being applied, answers the stored event and changes nothing.
pub async fn receive(
    db: &Db,
    webhook_id: String,
    event: HrEvent,
    data: serde_json::Value,
    now: DateTime<Utc>,
    rules: Rules,
) -> StaffingResult<Received> {
    // The database keeps microseconds: the answer says what a later read will.
    let now = now.trunc_subsecs(6);
    let id = ids::new_id().to_string();
    let row = HrEventRow {
        id: id.clone(),
        webhook_id,
        event_type: event.type_name().to_owned(),
        payload: data.to_string(),
        received_at: now.naive_utc(),
        status: HrEventStatus::Unmatched.as_str().to_owned(),
        problem: None,
        applied_at: None,
        attempts: 0,
        next_attempt_at: None,
    };
    let ctx = AuditContext::for_event(SOURCE, &id, now);
    let alone = (!db.url().is_sqlite() && may_be_the_row_alone(&event))
        .then(|| (row.clone(), event.clone(), ctx.clone()))
        .map(|(row, event, ctx)| {
            move |conn: &mut DbConnection| {
                let stored = receive_alone(conn, row, &event, &ctx, &rules)?;
                Ok(stored.map(|event| Received { event, fresh: true }))
            }
        });
    let in_transaction = move |conn: &mut DbConnection| {
        // The id first: a concurrent delivery of the same id waits here for this one.
        if let Some(seen) = stored_before(conn, &row)? {
            return Ok(seen);
        }
        let outcome = apply_and_record(conn, &id, &event, &ctx, &rules)?;
        Ok(Received {
            event: stored_as(outcome.on(row))?,
            fresh: true,
        })
    };
    match alone {
        Some(alone) => db.publish_statement_or_write(alone, in_transaction).await,
        None => db.write(in_transaction).await,
    }
}

/// Whether the event's effect may be the employee's row alone. A resignation, its
/// withdrawal and a termination move a last working day, which always sets off handovers:
/// trying them in one statement would only read the employee twice.
fn may_be_the_row_alone(event: &HrEvent) -> bool {
    matches!(event, HrEvent::Hired(_) | HrEvent::Transferred(_))
}

/// On PostgreSQL, an event whose effect is the employee's row alone (a hire, a new name):
/// the read (none for a hire), then the event's row, stored as applied, written with the
/// change in one statement that commits alone (see [`employees::change_alone`]). One or
/// two round trips where the transaction takes six. `None` when it needs the transaction,
/// and nothing was written: an effect beyond the row or none, an unmatched event, the row
/// changed since the read (or, for a hire, there already), or a `webhook-id` stored
/// already (the statement's insert of it fails).
fn receive_alone(
    conn: &mut DbConnection,
    row: HrEventRow,
    event: &HrEvent,
    ctx: &AuditContext,
    rules: &Rules,
) -> StaffingResult<Option<StoredHrEvent>> {
    let (existing, department_known) = match event {
        // A hire is nearly always of someone new: tried as a creation without a read first.
        // When they exist already the insert writes nothing, and when the department does
        // not exist it fails on the foreign key; either way nothing is written and the
        // transaction reads and applies the event.
        HrEvent::Hired(_) => (None, true),
        _ => employee_of(conn, event)?,
    };
    let current = existing.as_ref().map(|e| &e.value);
    let Ok(Effect::Change { after, facts, .. }) =
        effect(event, current, department_known, rules.today(ctx.at))
    else {
        return Ok(None);
    };
    let applied = Outcome::applied(ctx.at.naive_utc()).on(row);
    let beside = rows::insert_beside(&applied);
    match employees::change_alone(conn, existing, after, &facts, ctx, Some(beside)) {
        Ok(Some((_, put))) if put != Put::Unchanged => Ok(Some(stored_as(applied)?)),
        Ok(_) => Ok(None),
        // A unique key taken meanwhile (this `webhook-id`), or a department gone.
        Err(StaffingError::Platform(e)) if e.kind() == ErrorKind::Conflict => Ok(None),
        Err(e) => Err(e),
    }
}

/// Stores `row` unless its `webhook_id` is known; the event stored before when it is.
fn stored_before(conn: &mut DbConnection, row: &HrEventRow) -> StaffingResult<Option<Received>> {
    if rows::insert_new(conn, row)? {
        return Ok(None);
    }
    let event = rows::find_by_webhook_id(conn, &row.webhook_id)?
        .ok_or_else(|| ApiError::internal("a known webhook-id without its event"))?;
    Ok(Some(Received {
        event,
        fresh: false,
    }))
}

/// How an HR source's event that is not applied on arrival is kept.
#[derive(Debug, Clone)]
pub enum Held {
    /// It could not be made into an HR event (no employee id, an unmapped department):
    /// unmatched, with the reason.
    Unmatched(String),
    /// It carries only ids: enriched through the vendor's API, starting now.
    Enriching,
}

/// Stores an HR source's event that is not applied on arrival, once per `webhook_id`.
pub async fn receive_held(
    db: &Db,
    webhook_id: String,
    event_type: &'static str,
    data: serde_json::Value,
    held: Held,
    now: DateTime<Utc>,
) -> StaffingResult<Received> {
    db.write(move |conn| {
        let id = ids::new_id().to_string();
        let (status, problem, next_attempt_at) = match &held {
            Held::Unmatched(why) => (HrEventStatus::Unmatched, Some(why.clone()), None),
            Held::Enriching => (HrEventStatus::Enriching, None, Some(now.naive_utc())),
        };
        let row = HrEventRow {
            id: id.clone(),
            webhook_id,
            event_type: event_type.to_owned(),
            payload: data.to_string(),
            received_at: now.naive_utc(),
            status: status.as_str().to_owned(),
            problem,
            applied_at: None,
            attempts: 0,
            next_attempt_at,
        };
        if let Some(seen) = stored_before(conn, &row)? {
            return Ok(seen);
        }
        tracing::info!(hr_event.id = %id, hr_event.held = ?held, "HR source event held");
        Ok(Received {
            event: stored(conn, &id)?,
            fresh: true,
        })
    })
    .await
}

/// Applies what the enrichment of event `id` found: `event_type` and `data` replace what
/// was stored, then the HR event is applied like one that arrived whole, or the event is
/// left unmatched with why it cannot be made. `None` when the event is no longer
/// enriching (another replica finished it).
pub async fn enriched(
    db: &Db,
    id: String,
    event_type: &'static str,
    data: serde_json::Value,
    event: Result<HrEvent, String>,
    now: DateTime<Utc>,
    rules: Rules,
) -> StaffingResult<Option<StoredHrEvent>> {
    db.write(move |conn| {
        if !rows::claim_enriched(conn, &id, event_type, &data.to_string())? {
            return Ok(None);
        }
        match &event {
            Ok(event) => {
                let ctx = AuditContext::for_event(SOURCE, &id, now);
                apply_and_record(conn, &id, event, &ctx, &rules)?;
            }
            Err(why) => {
                tracing::info!(hr_event.id = %id, hr_event.problem = %why, "HR source event unmatched");
                rows::set_outcome(conn, &id, &Outcome::unmatched(why.clone()))?;
            }
        }
        Ok(Some(stored(conn, &id)?))
    })
    .await
}

/// Takes a due enriching event for one attempt until `until`: false when another
/// replica has it or it is no longer due.
pub async fn lease_enrichment(
    db: &Db,
    id: String,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> StaffingResult<bool> {
    db.write(move |conn| Ok(rows::lease(conn, &id, now.naive_utc(), until.naive_utc())?))
        .await
}

/// Records a failed enrichment: tried again at `next`, or (`None`) left unmatched.
pub async fn enrichment_failed(
    db: &Db,
    id: String,
    next: Option<DateTime<Utc>>,
    problem: String,
) -> StaffingResult<()> {
    db.write(move |conn| {
        Ok(rows::attempt_failed(
            conn,
            &id,
            next.map(|n| n.naive_utc()),
            &problem,
        )?)
    })
    .await
}

/// Enriching events due at `now`, at most `limit`.
pub async fn due_for_enrichment(
    db: &Db,
    now: DateTime<Utc>,
    limit: i64,
) -> StaffingResult<Vec<StoredHrEvent>> {
    db.read(move |conn| Ok(rows::due(conn, now.naive_utc(), limit)?))
        .await
}

/// Applies an unmatched event again (after HR fixed the mapping), as `actor`; the event
/// is still the cause of what changes. 404 for an unknown id, 409 when it was applied.
pub async fn replay(
    db: &Db,
    id: String,
    actor: Actor,
    now: DateTime<Utc>,
    rules: Rules,
) -> StaffingResult<StoredHrEvent> {
    db.write(move |conn| {
        let event = stored(conn, &id)?;
        if event.status == HrEventStatus::Applied {
            return Err(StaffingError::HrEventApplied(id));
        }
        // One that waited for the vendor's API and gave up is tried again, due now.
        if pending(&event.data).is_some() {
            if event.status == HrEventStatus::Unmatched {
                rows::enrich_again(conn, &id, now.naive_utc())?;
            }
            return stored(conn, &id);
        }
        // An HR source's event that never made an HR event (no employee id, an unmapped
        // department) stays unmatched, its reason unchanged.
        let Ok(parsed) = HrEvent::parse(&event.event_type, &event.data) else {
            return Ok(event);
        };
        if !rows::claim_unmatched(conn, &id)? {
            return Err(StaffingError::HrEventApplied(id));
        }
        let ctx = AuditContext {
            actor,
            cause: Cause::Event {
                source: SOURCE.to_owned(),
                id: id.clone(),
            },
            at: now,
        };
        apply_and_record(conn, &id, &parsed, &ctx, &rules)?;
        stored(conn, &id)
    })
    .await
}

pub async fn get(db: &Db, id: String) -> StaffingResult<StoredHrEvent> {
    db.read(move |conn| stored(conn, &id)).await
}

pub async fn list(
    db: &Db,
    status: Option<HrEventStatus>,
    page: PageRequest,
) -> StaffingResult<Vec<StoredHrEvent>> {
    db.read(move |conn| Ok(rows::list(conn, status, &page)?))
        .await
}

fn stored(conn: &mut DbConnection, id: &str) -> StaffingResult<StoredHrEvent> {
    rows::find(conn, id)?.ok_or_else(|| StaffingError::HrEventNotFound(id.to_owned()))
}

/// Applies the event and records how it went on its row.
fn apply_and_record(
    conn: &mut DbConnection,
    id: &str,
    event: &HrEvent,
    ctx: &AuditContext,
    rules: &Rules,
) -> StaffingResult<Outcome> {
    let outcome = match apply(conn, event, ctx, rules)? {
        None => Outcome::applied(ctx.at.naive_utc()),
        Some(why) => {
            tracing::info!(hr_event.id = id, hr_event.problem = %why.en, "HR event unmatched");
            Outcome::unmatched(why.en.into_owned())
        }
    };
    if !rows::set_outcome(conn, id, &outcome)? {
        return Err(StaffingError::HrEventNotFound(id.to_owned()));
    }
    Ok(outcome)
}

/// The event as `row` stores it.
fn stored_as(row: HrEventRow) -> StaffingResult<StoredHrEvent> {
    Ok(StoredHrEvent::try_from(row).map_err(DbError::from)?)
}

/// Applies one event to the roster; why not, when it cannot be.
fn apply(
    conn: &mut DbConnection,
    event: &HrEvent,
    ctx: &AuditContext,
    rules: &Rules,
) -> StaffingResult<Option<Text>> {
    let today = rules.today(ctx.at);
    let (existing, department_known) = employee_of(conn, event)?;
    let current = existing.as_ref().map(|e| &e.value);
    match effect(event, current, department_known, today) {
        Err(Unmatched(why)) => Ok(Some(why)),
        Ok(Effect::Nothing) => Ok(None),
        Ok(Effect::Change {
            after,
            facts,
            successor,
        }) => {
            employees::change_in(conn, existing, after, &facts, successor, ctx, rules)?;
            Ok(None)
        }
    }
}

/// The stored employee the event is about, and whether the department it names (if any)
/// exists: in one query, or the employee alone when the event names no department or one
/// that does not exist.
fn employee_of(
    conn: &mut DbConnection,
    event: &HrEvent,
) -> StaffingResult<(Option<Versioned<Employee>>, bool)> {
    let employee_id = event.employee_id().as_str();
    let department = match event {
        HrEvent::Hired(h) => Some(&h.department_code),
        HrEvent::Transferred(t) => Some(&t.department_code),
        _ => None,
    };
    Ok(match department {
        Some(code) => match employee_rows::find_in_department(conn, employee_id, code.as_str())? {
            Some(existing) => (existing, true),
            None => (employee_rows::find(conn, employee_id)?, false),
        },
        None => (employee_rows::find(conn, employee_id)?, true),
    })
}
