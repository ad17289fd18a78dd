//! The inbox: each received event recorded and applied in one transaction, at most once.

use std::collections::HashSet;
use std::sync::Arc;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::envelope::CloudEvent;
use super::schema::inbox_events as ib;
use crate::db::DbConnection;
use crate::error::{ApiError, ApiResult};
use crate::roster::RosterCopy;
use crate::service::Subscription;
use crate::{text, with_backend};

/// A service's reaction to the events it takes, inside the transaction that records them:
/// `Ok(false)` for a type it does not use (stored and acknowledged all the same, so
/// producers may move first).
pub trait EventHandler: Send + Sync + 'static {
    fn apply(&self, conn: &mut DbConnection, event: &CloudEvent) -> ApiResult<bool>;
}

/// How a service applies what it receives: only the types it subscribes to, from the
/// sources it accepts them from; its copy of the roster, if it keeps one, then its own
/// handler, which sees every event it takes (roster events included).
#[derive(Clone, Default)]
pub struct EventSink {
    pub(crate) roster: Option<RosterCopy>,
    pub(crate) handler: Option<Arc<dyn EventHandler>>,
    pub(crate) subscriptions: &'static [&'static [Subscription]],
}

impl EventSink {
    pub fn new(
        roster: Option<RosterCopy>,
        handler: Option<Arc<dyn EventHandler>>,
        subscriptions: &'static [&'static [Subscription]],
    ) -> Self {
        Self {
            roster,
            handler,
            subscriptions,
        }
    }

    /// Whether the service takes the event's type; an error when it comes from a source
    /// that is not the type's producer.
    fn takes(&self, event: &CloudEvent) -> ApiResult<bool> {
        let Some(sub) = self
            .subscriptions
            .iter()
            .flat_map(|group| group.iter())
            .find(|s| s.event_type.as_str() == event.event_type)
        else {
            return Ok(false);
        };
        if !sub.from.contains(&event.source.as_str()) {
            let (ty, from) = (&event.event_type, sub.from.join(", "));
            return Err(ApiError::invalid_field(
                "source",
                text!(
                    "`{ty}` events are accepted from {from} only",
                    "`{ty}` 事件只接受来自 {from} 的"
                ),
            ));
        }
        Ok(true)
    }

    /// Applies an event this service takes; `Ok(false)` for a type it does not take.
    pub fn apply(&self, conn: &mut DbConnection, event: &CloudEvent) -> ApiResult<bool> {
        if !self.takes(event)? {
            return Ok(false);
        }
        let copied = match &self.roster {
            Some(copy) => copy.apply(conn, event)?,
            None => false,
        };
        let handled = match &self.handler {
            Some(h) => h.apply(conn, event)?,
            None => false,
        };
        Ok(copied || handled)
    }
}

/// What became of one event of a batch.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Stored and applied.
    Applied,
    /// Stored; a type this service does not take.
    Ignored,
    /// Seen before: changed nothing.
    Duplicate,
    /// Refused (see `problem`); nothing of it was kept. Send it again once fixed.
    Rejected,
    /// Not looked at, because an earlier event of the same subject in this batch was
    /// refused: events of one entity apply in order. Send it again after that one.
    Held,
}

impl Outcome {
    /// Whether the producer may consider the event delivered.
    pub fn is_settled(self) -> bool {
        matches!(
            self,
            Outcome::Applied | Outcome::Ignored | Outcome::Duplicate
        )
    }
}

/// Why an event was refused, as a problem's essentials.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct EventProblem {
    pub status: u16,
    pub code: String,
    pub detail: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<EventProblemField>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct EventProblemField {
    pub field: String,
    pub message: String,
}

impl From<&ApiError> for EventProblem {
    fn from(e: &ApiError) -> Self {
        Self {
            status: e.kind().status().as_u16(),
            code: e.kind().code().to_owned(),
            detail: e.detail_en().to_owned(),
            errors: e
                .field_errors()
                .iter()
                .map(|f| EventProblemField {
                    field: f.field.clone(),
                    message: f.message.en.to_string(),
                })
                .collect(),
        }
    }
}

/// One event's answer, in the order the batch listed them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct EventResult {
    /// The event's `id` (empty when it had none).
    pub id: String,
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<EventProblem>,
}

/// The answer to a batch: a count per outcome and one result per event.
#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct ReceiveReport {
    pub received: usize,
    pub applied: usize,
    pub ignored: usize,
    pub duplicates: usize,
    pub rejected: usize,
    pub held: usize,
    /// This service's database (see `events::incarnation`).
    pub incarnation: String,
    pub results: Vec<EventResult>,
}

impl ReceiveReport {
    fn push(&mut self, id: &str, outcome: Outcome, problem: Option<EventProblem>) {
        match outcome {
            Outcome::Applied => self.applied += 1,
            Outcome::Ignored => self.ignored += 1,
            Outcome::Duplicate => self.duplicates += 1,
            Outcome::Rejected => self.rejected += 1,
            Outcome::Held => self.held += 1,
        }
        self.results.push(EventResult {
            id: id.to_owned(),
            outcome,
            problem,
        });
    }
}

/// One element of a batch: an event, or why it is not one.
pub type Incoming = Result<CloudEvent, ApiError>;

#[derive(Insertable)]
#[diesel(table_name = ib)]
struct NewInbox<'a> {
    source: &'a str,
    id: &'a str,
    event_type: &'a str,
    subject: Option<&'a str>,
    payload: String,
    applied: bool,
    received_at: chrono::NaiveDateTime,
}

/// Records and applies `events` in order. Call inside one transaction: the caller answers
/// only after it commits. One refused event is rolled back alone and answered as such, and
/// holds back the later events of its subject; the others are kept. Refusals are rare, so
/// the whole batch is first tried in one savepoint; only when something in it is refused
/// is it done again with a savepoint per event (a savepoint costs a round trip on
/// PostgreSQL).
pub fn receive(
    conn: &mut DbConnection,
    events: &[Incoming],
    sink: &EventSink,
    now: chrono::NaiveDateTime,
) -> ApiResult<ReceiveReport> {
    let seen = known(conn, events)?;
    let whole = conn.transaction::<_, Attempt, _>(|c| {
        apply_all(c, events, sink, now, seen.clone(), false).map_err(Attempt::from)
    });
    match whole {
        Ok(report) => Ok(report),
        Err(Attempt::Refused) => {
            apply_all(conn, events, sink, now, seen, true).map_err(|e| match e {
                Step::Failed(e) => e,
                Step::Refused => ApiError::internal("an event was refused with savepoints on"),
            })
        }
        Err(Attempt::Failed(e)) => Err(e),
    }
}

/// Why a pass over the batch stopped.
enum Step {
    /// An event was refused while not isolated by a savepoint: go again, one by one.
    Refused,
    /// Ours, not the event's: the whole batch fails and is sent again.
    Failed(ApiError),
}

impl From<ApiError> for Step {
    fn from(e: ApiError) -> Self {
        Step::Failed(e)
    }
}

/// The first pass's error, which also rolls its savepoint back.
enum Attempt {
    Refused,
    Failed(ApiError),
}

impl From<Step> for Attempt {
    fn from(s: Step) -> Self {
        match s {
            Step::Refused => Attempt::Refused,
            Step::Failed(e) => Attempt::Failed(e),
        }
    }
}

impl From<diesel::result::Error> for Attempt {
    fn from(e: diesel::result::Error) -> Self {
        Attempt::Failed(e.into())
    }
}

fn apply_all(
    conn: &mut DbConnection,
    events: &[Incoming],
    sink: &EventSink,
    now: chrono::NaiveDateTime,
    mut seen: HashSet<(String, String)>,
    isolated: bool,
) -> Result<ReceiveReport, Step> {
    let mut report = ReceiveReport {
        received: events.len(),
        ..Default::default()
    };
    let mut refused_subjects: HashSet<String> = HashSet::new();
    let mut rows = Vec::with_capacity(events.len());
    for incoming in events {
        let event = match incoming {
            Ok(e) => e,
            Err(problem) => {
                report.push("", Outcome::Rejected, Some(problem.into()));
                continue;
            }
        };
        let subject = event.subject.clone().unwrap_or_default();
        if !subject.is_empty() && refused_subjects.contains(&subject) {
            report.push(&event.id, Outcome::Held, None);
            continue;
        }
        if !seen.insert((event.source.clone(), event.id.clone())) {
            report.push(&event.id, Outcome::Duplicate, None);
            continue;
        }
        let applied = if isolated {
            // A savepoint: a refusal rolls back this event's changes only.
            conn.transaction::<bool, ApiError, _>(|c| sink.apply(c, event))
        } else {
            sink.apply(conn, event)
        };
        match applied {
            Ok(applied) => {
                let outcome = if applied {
                    Outcome::Applied
                } else {
                    Outcome::Ignored
                };
                report.push(&event.id, outcome, None);
                rows.push(NewInbox {
                    source: &event.source,
                    id: &event.id,
                    event_type: &event.event_type,
                    subject: event.subject.as_deref(),
                    payload: serde_json::to_string(event).map_err(ApiError::internal)?,
                    applied,
                    received_at: now,
                });
            }
            Err(e) if e.is_server_error() => return Err(Step::Failed(e)),
            Err(_) if !isolated => return Err(Step::Refused),
            Err(e) => {
                // Not recorded as received, so a corrected resend is applied.
                seen.remove(&(event.source.clone(), event.id.clone()));
                if !subject.is_empty() {
                    refused_subjects.insert(subject);
                }
                report.push(&event.id, Outcome::Rejected, Some((&e).into()));
            }
        }
    }
    for part in rows.chunks(500) {
        with_backend!(&mut *conn, |c| diesel::insert_into(ib::table)
            .values(part)
            .execute(c))
        .map_err(|e| Step::Failed(e.into()))?;
    }
    Ok(report)
}

/// The `(source, id)` pairs of `events` already in the inbox, probed by primary key.
fn known(conn: &mut DbConnection, events: &[Incoming]) -> ApiResult<HashSet<(String, String)>> {
    let mut by_source: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for e in events.iter().flatten() {
        by_source
            .entry(e.source.as_str())
            .or_default()
            .push(e.id.as_str());
    }
    let mut seen = HashSet::new();
    for (source, ids) in by_source {
        for chunk in ids.chunks(500) {
            let found: Vec<(String, String)> = ib::table
                .filter(ib::source.eq(source))
                .filter(ib::id.eq_any(chunk))
                .select((ib::source, ib::id))
                .load(conn)?;
            seen.extend(found);
        }
    }
    Ok(seen)
}

/// How many events from `source` this service has ever received.
pub fn count_from(conn: &mut DbConnection, source: &str) -> ApiResult<i64> {
    Ok(ib::table
        .filter(ib::source.eq(source))
        .count()
        .get_result(conn)?)
}

/// Events received per source, and how many of them were applied.
pub fn stats(conn: &mut DbConnection) -> ApiResult<Vec<(String, String, bool, i64)>> {
    Ok(ib::table
        .group_by((ib::source, ib::event_type, ib::applied))
        .select((
            ib::source,
            ib::event_type,
            ib::applied,
            diesel::dsl::count_star(),
        ))
        .order((ib::source.asc(), ib::event_type.asc()))
        .load(conn)?)
}

/// Every event this service has received, from any source.
pub fn count_all(conn: &mut DbConnection) -> ApiResult<i64> {
    Ok(ib::table.count().get_result(conn)?)
}

/// When each received event about one of `subjects` was stored, by event id (for
/// measuring delivery latency).
pub fn received_at(
    conn: &mut DbConnection,
    subjects: &[String],
) -> ApiResult<Vec<(String, chrono::NaiveDateTime)>> {
    Ok(ib::table
        .filter(ib::subject.eq_any(subjects))
        .select((ib::id, ib::received_at))
        .load(conn)?)
}
