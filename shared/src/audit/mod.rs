//! The audit trail every service keeps of changes to its own resources: who changed what,
//! when, from which value to which, and why (the request or the event that caused it).
//!
//! Services call [`record`] inside the write transaction of the change itself, so a change
//! and its entry are committed together or not at all. The trail is append-only: this
//! module offers no way to edit or remove an entry, the table is private to it, the
//! database refuses edits, and retention leaves it alone. Read it at `GET /v1/audit`.

pub mod api;
// Private: only this module can name the table, so no update or delete can be written
// against it elsewhere.
mod db;
#[cfg(test)]
mod tests;

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::db::DbConnection;
use crate::error::{ApiError, ApiResult};
use crate::events::CloudEvent;
use crate::events::outbox::{self, Cte};
use crate::http::request_id::RequestId;

/// Who made a change: the caller's identity (a token's name, `name:employee` for a
/// member), or `event:<source>` for a change an event caused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(String);

impl Actor {
    pub fn caller(caller: &Caller) -> Self {
        Self(caller.identity())
    }

    pub fn event(source: &str) -> Self {
        Self(format!("event:{source}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a change was made: the request (by its `X-Request-Id`) or the event that caused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    Request(String),
    Event { source: String, id: String },
}

/// Who, why and when, for every entry a request or an event writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContext {
    pub actor: Actor,
    pub cause: Cause,
    pub at: DateTime<Utc>,
}

impl AuditContext {
    /// The context of a change that applying event `id` from `source` makes.
    pub fn for_event(source: &str, id: &str, at: DateTime<Utc>) -> Self {
        Self {
            actor: Actor::event(source),
            cause: Cause::Event {
                source: source.to_owned(),
                id: id.to_owned(),
            },
            at,
        }
    }
}

/// The authenticated caller (401 without one) and the request id the request-id middleware
/// put into the request.
impl FromRequest for AuditContext {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        ready(
            Caller::from_request(req, payload)
                .into_inner()
                .and_then(|caller| {
                    let request_id = req
                        .extensions()
                        .get::<RequestId>()
                        .map(|r| r.0.clone())
                        .ok_or_else(|| ApiError::internal("request id middleware missing"))?;
                    // The service's clock, so that a test that sets the time sees it here.
                    let at = req
                        .app_data::<actix_web::web::Data<crate::clock::Clock>>()
                        .map(|c| c.now())
                        .unwrap_or_else(crate::clock::now);
                    Ok(Self {
                        actor: Actor::caller(&caller),
                        cause: Cause::Request(request_id),
                        at,
                    })
                }),
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Created,
    Updated,
    Deleted,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::Deleted => "deleted",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "created" => Some(Action::Created),
            "updated" => Some(Action::Updated),
            "deleted" => Some(Action::Deleted),
            _ => None,
        }
    }
}

/// One changed resource: its kind (`department`), its id, and its values before and after
/// as the API shows them (`None` before creation and after deletion).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub entity: &'static str,
    pub entity_id: String,
    pub action: Action,
    pub old: Option<serde_json::Value>,
    pub new: Option<serde_json::Value>,
}

impl Change {
    pub fn created(
        entity: &'static str,
        entity_id: impl Into<String>,
        new: &impl Serialize,
    ) -> ApiResult<Self> {
        Ok(Self {
            entity,
            entity_id: entity_id.into(),
            action: Action::Created,
            old: None,
            new: Some(to_value(new)?),
        })
    }

    pub fn updated(
        entity: &'static str,
        entity_id: impl Into<String>,
        old: &impl Serialize,
        new: &impl Serialize,
    ) -> ApiResult<Self> {
        Ok(Self {
            entity,
            entity_id: entity_id.into(),
            action: Action::Updated,
            old: Some(to_value(old)?),
            new: Some(to_value(new)?),
        })
    }

    pub fn deleted(
        entity: &'static str,
        entity_id: impl Into<String>,
        old: &impl Serialize,
    ) -> ApiResult<Self> {
        Ok(Self {
            entity,
            entity_id: entity_id.into(),
            action: Action::Deleted,
            old: Some(to_value(old)?),
            new: None,
        })
    }
}

fn to_value(value: &impl Serialize) -> ApiResult<serde_json::Value> {
    serde_json::to_value(value).map_err(ApiError::internal)
}

/// Appends one entry. Call inside the transaction that makes the change.
pub fn record(conn: &mut DbConnection, ctx: &AuditContext, change: Change) -> ApiResult<()> {
    record_all(conn, ctx, vec![change])
}

/// Appends one entry per change, in their order, in few statements (an import's rows).
/// Call inside the transaction that makes the changes.
pub fn record_all(
    conn: &mut DbConnection,
    ctx: &AuditContext,
    changes: Vec<Change>,
) -> ApiResult<()> {
    record_entries(conn, &Entries::new(ctx, changes)?)
}

/// Entries ready to append, their values already written as JSON: made on another
/// thread than the one holding the write transaction when there are thousands (an
/// import), then appended with [`record_entries`].
#[derive(Debug, Default)]
pub struct Entries(Vec<db::AuditRow>);

impl Entries {
    pub fn new(ctx: &AuditContext, changes: Vec<Change>) -> ApiResult<Self> {
        changes
            .into_iter()
            .map(|c| db::AuditRow::new(ctx, c))
            .collect::<ApiResult<Vec<_>>>()
            .map(Self)
    }
}

/// Appends entries made by [`Entries::new`], in their order. Call inside the transaction
/// that makes the changes.
pub fn record_entries(conn: &mut DbConnection, entries: &Entries) -> ApiResult<()> {
    db::insert(conn, &entries.0)
}

/// Appends the entry for `change`, if any, and publishes `events`, in the caller's
/// transaction: what a single-entity write does after writing its row. On PostgreSQL one
/// event and its entry are one statement (one round trip instead of three).
pub fn record_and_publish(
    conn: &mut DbConnection,
    ctx: &AuditContext,
    change: Option<Change>,
    events: &[CloudEvent],
) -> ApiResult<()> {
    let row = change.map(|c| db::AuditRow::new(ctx, c)).transpose()?;
    if let (DbConnection::Pg(c), [event]) = (&mut *conn, events)
        && outbox::publish_routed(c, event, None, row.as_ref().map(db::insert_beside))?.is_some()
    {
        return Ok(());
    }
    publish_and_insert(conn, events, row)
}

/// Writes a changed row, then, if that applied, appends the entry for `change` and
/// publishes `events`, in the caller's transaction: the whole of a single-entity write.
/// `cte` and `write` are the same write of the row, each answering whether it applied
/// (false: another transaction changed the row first, and nothing was written): `cte` as
/// the CTE `w` of PostgreSQL's single statement for one event (see [`outbox::Cte`]),
/// `write` run on its own otherwise.
pub fn write_record_and_publish(
    conn: &mut DbConnection,
    ctx: &AuditContext,
    cte: Cte<'_>,
    write: impl FnOnce(&mut DbConnection) -> ApiResult<bool>,
    change: Option<Change>,
    events: &[CloudEvent],
) -> ApiResult<bool> {
    let row = change.map(|c| db::AuditRow::new(ctx, c)).transpose()?;
    if let Some(applied) = in_one_statement(conn, cte, row.as_ref(), events, None)? {
        return Ok(applied);
    }
    if !write(conn)? {
        return Ok(false);
    }
    publish_and_insert(conn, events, row)?;
    Ok(true)
}

/// [`write_record_and_publish`] when it takes one statement, which is atomic without a
/// transaction around it: PostgreSQL and one event. `beside` is one more CTE of the
/// caller's, written exactly when the event is (see [`outbox::Cte`]): the record of what
/// caused the change, say. Whether the row's write applied, or `None` when one statement
/// cannot do it, and then nothing was written.
pub fn write_record_and_publish_alone(
    conn: &mut DbConnection,
    ctx: &AuditContext,
    cte: Cte<'_>,
    change: Option<Change>,
    events: &[CloudEvent],
    beside: Option<Cte<'_>>,
) -> ApiResult<Option<bool>> {
    let row = change.map(|c| db::AuditRow::new(ctx, c)).transpose()?;
    in_one_statement(conn, cte, row.as_ref(), events, beside)
}

fn in_one_statement(
    conn: &mut DbConnection,
    cte: Cte<'_>,
    row: Option<&db::AuditRow>,
    events: &[CloudEvent],
    beside: Option<Cte<'_>>,
) -> ApiResult<Option<bool>> {
    let (DbConnection::Pg(c), [event]) = (conn, events) else {
        return Ok(None);
    };
    let beside = match (row.map(db::insert_beside), beside) {
        (Some(entry), Some(more)) => Some(outbox::both(entry, more)),
        (entry, more) => entry.or(more),
    };
    outbox::publish_routed(c, event, Some(cte), beside)
}

/// The way of [`record_and_publish`] when one statement cannot do: the routes read, the
/// events written, then the entry.
fn publish_and_insert(
    conn: &mut DbConnection,
    events: &[CloudEvent],
    row: Option<db::AuditRow>,
) -> ApiResult<()> {
    if !events.is_empty() {
        outbox::publish_read_routes(conn, events)?;
    }
    match row {
        Some(row) => db::insert(conn, &[row]),
        None => Ok(()),
    }
}
