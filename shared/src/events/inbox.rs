//! The inbox: each received event recorded and applied in one transaction, at most once.

use std::collections::HashSet;
use std::sync::Arc;

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::envelope::CloudEvent;
use super::schema::inbox_events as ib;
use crate::db::DbConnection;
use crate::error::{ApiError, ApiResult};
use crate::roster::RosterCopy;
use crate::with_backend;

/// A service's reaction to the events it takes, inside the transaction that records them:
/// `Ok(false)` for a type it does not use (stored and acknowledged all the same, so
/// producers may move first).
pub trait EventHandler: Send + Sync + 'static {
    fn apply(&self, conn: &mut DbConnection, event: &CloudEvent) -> ApiResult<bool>;
}

/// How a service applies what it receives: its copy of the roster, if it keeps one, then
/// its own handler, which sees every event (roster events included).
#[derive(Clone, Default)]
pub struct EventSink {
    pub(crate) roster: Option<RosterCopy>,
    pub(crate) handler: Option<Arc<dyn EventHandler>>,
}

impl EventSink {
    pub fn new(roster: Option<RosterCopy>, handler: Option<Arc<dyn EventHandler>>) -> Self {
        Self { roster, handler }
    }

    pub fn apply(&self, conn: &mut DbConnection, event: &CloudEvent) -> ApiResult<bool> {
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

#[derive(Debug, Default, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct ReceiveReport {
    pub received: usize,
    /// Applied to this service's data.
    pub applied: usize,
    /// Stored but of a type this service does not use.
    pub ignored: usize,
    /// Seen before: changed nothing.
    pub duplicates: usize,
    /// This service's database (see `events::incarnation`).
    pub incarnation: String,
}

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

/// Records and applies `events` in order. Call inside one transaction: the caller
/// answers 2xx only after it commits.
pub fn receive(
    conn: &mut DbConnection,
    events: &[CloudEvent],
    sink: &EventSink,
) -> ApiResult<ReceiveReport> {
    let mut report = ReceiveReport {
        received: events.len(),
        ..Default::default()
    };
    let mut seen: HashSet<(String, String)> = HashSet::new();
    // Probe by the primary key (source, id), one source at a time.
    let mut by_source: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for e in events {
        by_source
            .entry(e.source.as_str())
            .or_default()
            .push(e.id.as_str());
    }
    for (source, ids) in by_source {
        for chunk in ids.chunks(500) {
            let known: Vec<(String, String)> = ib::table
                .filter(ib::source.eq(source))
                .filter(ib::id.eq_any(chunk))
                .select((ib::source, ib::id))
                .load(conn)?;
            seen.extend(known);
        }
    }
    let now = crate::clock::now().naive_utc();
    let mut rows = Vec::with_capacity(events.len());
    for event in events {
        let key = (event.source.clone(), event.id.clone());
        if !seen.insert(key) {
            report.duplicates += 1;
            continue;
        }
        let applied = sink.apply(conn, event)?;
        if applied {
            report.applied += 1;
        } else {
            report.ignored += 1;
        }
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
    for part in rows.chunks(500) {
        with_backend!(&mut *conn, |c| diesel::insert_into(ib::table)
            .values(part)
            .execute(c))?;
    }
    Ok(report)
}

/// How many events from `source` this service has ever received.
pub fn count_from(conn: &mut DbConnection, source: &str) -> ApiResult<i64> {
    Ok(ib::table
        .filter(ib::source.eq(source))
        .count()
        .get_result(conn)?)
}

/// Events received per source, and how many of them were applied.
pub fn stats(conn: &mut DbConnection) -> ApiResult<Vec<(String, bool, i64)>> {
    Ok(ib::table
        .group_by((ib::source, ib::applied))
        .select((ib::source, ib::applied, diesel::dsl::count_star()))
        .order(ib::source.asc())
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
