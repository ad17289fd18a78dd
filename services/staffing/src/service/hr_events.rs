//! Receiving, applying, listing and replaying the HR system's events. An event is stored
//! and applied in one transaction, committed before the webhook answers; its employee
//! changes go through [`employees::change_in`] like every other path, audited with the
//! event named as their cause.

use chrono::{DateTime, Utc};
use continuity_shared::audit::{Actor, AuditContext, Cause};
use continuity_shared::db::{Db, DbConnection};
use continuity_shared::i18n::Text;
use continuity_shared::pagination::PageRequest;
use continuity_shared::{ApiError, ids};

use super::employees;
use super::errors::{StaffingError, StaffingResult};
use crate::db::employees as employee_rows;
use crate::db::hr_events::{self as rows, HrEventRow};
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
    db.write(move |conn| {
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
        // The id first: a concurrent delivery of the same id waits here for this one.
        if let Some(seen) = stored_before(conn, &row)? {
            return Ok(seen);
        }
        let ctx = AuditContext::for_event(SOURCE, &id, now);
        Ok(Received {
            event: apply_and_record(conn, &id, &event, &ctx, &rules)?,
            fresh: true,
        })
    })
    .await
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
                rows::set_outcome(conn, &id, HrEventStatus::Unmatched, Some(why), None)?;
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
        apply_and_record(conn, &id, &parsed, &ctx, &rules)
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

/// Applies the event and records how it went on its row; the event as stored now.
fn apply_and_record(
    conn: &mut DbConnection,
    id: &str,
    event: &HrEvent,
    ctx: &AuditContext,
    rules: &Rules,
) -> StaffingResult<StoredHrEvent> {
    let recorded = match apply(conn, event, ctx, rules)? {
        None => rows::set_outcome(
            conn,
            id,
            HrEventStatus::Applied,
            None,
            Some(ctx.at.naive_utc()),
        )?,
        Some(why) => {
            tracing::info!(hr_event.id = id, hr_event.problem = %why.en, "HR event unmatched");
            rows::set_outcome(conn, id, HrEventStatus::Unmatched, Some(&why.en), None)?
        }
    };
    recorded.ok_or_else(|| StaffingError::HrEventNotFound(id.to_owned()))
}

/// Applies one event to the roster; why not, when it cannot be.
fn apply(
    conn: &mut DbConnection,
    event: &HrEvent,
    ctx: &AuditContext,
    rules: &Rules,
) -> StaffingResult<Option<Text>> {
    let today = rules.today(ctx.at);
    let employee_id = event.employee_id().as_str();
    let department = match event {
        HrEvent::Hired(h) => Some(&h.department_code),
        HrEvent::Transferred(t) => Some(&t.department_code),
        _ => None,
    };
    // The department's existence and the employee in one query, the employee alone when
    // the event names no department or one that does not exist.
    let (existing, department_known) = match department {
        Some(code) => match employee_rows::find_in_department(conn, employee_id, code.as_str())? {
            Some(existing) => (existing, true),
            None => (employee_rows::find(conn, employee_id)?, false),
        },
        None => (employee_rows::find(conn, employee_id)?, true),
    };
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
