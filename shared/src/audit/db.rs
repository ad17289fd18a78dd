//! The `audit_log` table: appending entries and reading them newest first. There is
//! deliberately no update or delete here, nor anywhere else: the trail is append-only.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{AuditContext, Cause, Change};
use crate::db::{DbConnection, PgStatement};
use crate::error::{ApiError, ApiResult};
use crate::events::outbox::Cte;
use crate::pagination::PageRequest;
use crate::with_backend;

diesel::table! {
    audit_log (id) {
        id -> Text,
        entity -> Text,
        entity_id -> Text,
        action -> Text,
        actor -> Text,
        cause_kind -> Text,
        cause_source -> Nullable<Text>,
        cause_id -> Text,
        old_value -> Nullable<Text>,
        new_value -> Nullable<Text>,
        at -> Timestamp,
    }
}

pub(super) const REQUEST: &str = "request";
pub(super) const EVENT: &str = "event";

// `treat_none_as_default_value = false`: plain values, so that diesel writes a batch as
// one multi-row INSERT on SQLite too (with defaultable values it inserts row by row,
// each in a savepoint). The nullable columns have no default: None is NULL either way.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log, treat_none_as_default_value = false)]
pub(super) struct AuditRow {
    pub id: String,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub actor: String,
    pub cause_kind: String,
    pub cause_source: Option<String>,
    pub cause_id: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub at: NaiveDateTime,
}

impl AuditRow {
    pub fn new(ctx: &AuditContext, change: Change) -> ApiResult<Self> {
        let (cause_kind, cause_source, cause_id) = match &ctx.cause {
            Cause::Request(id) => (REQUEST, None, id.clone()),
            Cause::Event { source, id } => (EVENT, Some(source.clone()), id.clone()),
        };
        let text = |v: Option<serde_json::Value>| {
            v.map(|v| serde_json::to_string(&v).map_err(ApiError::internal))
                .transpose()
        };
        Ok(Self {
            // UUID v7: time-ordered, so the id is also the sort key of the trail.
            id: crate::ids::new_id().to_string(),
            entity: change.entity.to_owned(),
            entity_id: change.entity_id,
            action: change.action.as_str().to_owned(),
            actor: ctx.actor.as_str().to_owned(),
            cause_kind: cause_kind.to_owned(),
            cause_source,
            cause_id,
            old_value: text(change.old)?,
            new_value: text(change.new)?,
            at: ctx.at.naive_utc(),
        })
    }
}

pub(super) fn insert(conn: &mut DbConnection, rows: &[AuditRow]) -> ApiResult<()> {
    if let [row] = rows {
        // One entry (a single-entity write): a statement prepared once per connection, run
        // on the backend's own (the `MultiConnection` rebuilds SQL text at every execution).
        with_backend!(&mut *conn, |c| diesel::insert_into(audit_log::table)
            .values(row)
            .execute(c))?;
        return Ok(());
    }
    // Both backends cap bound parameters per statement; 11 columns x 500 rows stays under.
    for chunk in rows.chunks(500) {
        with_backend!(&mut *conn, |c| diesel::insert_into(audit_log::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// `row` as one more CTE of a statement that publishes an event (see
/// `outbox::publish_routed`): written exactly when the event is.
pub(super) fn insert_beside(row: &AuditRow) -> Cte<'_> {
    use diesel::sql_types::{Nullable, Text, Timestamp};
    Box::new(move |statement: PgStatement<'_>| {
        statement
            .sql(
                ", a AS (INSERT INTO audit_log (id, entity, entity_id, action, actor, \
                 cause_kind, cause_source, cause_id, old_value, new_value, at) SELECT ",
            )
            .bind::<Text, _>(row.id.clone())
            .sql(", ")
            .bind::<Text, _>(row.entity.clone())
            .sql(", ")
            .bind::<Text, _>(row.entity_id.clone())
            .sql(", ")
            .bind::<Text, _>(row.action.clone())
            .sql(", ")
            .bind::<Text, _>(row.actor.clone())
            .sql(", ")
            .bind::<Text, _>(row.cause_kind.clone())
            .sql(", ")
            .bind::<Nullable<Text>, _>(row.cause_source.clone())
            .sql(", ")
            .bind::<Text, _>(row.cause_id.clone())
            .sql(", ")
            .bind::<Nullable<Text>, _>(row.old_value.clone())
            .sql(", ")
            .bind::<Nullable<Text>, _>(row.new_value.clone())
            .sql(", ")
            .bind::<Timestamp, _>(row.at)
            .sql(" FROM e)\n")
    })
}

/// Which entries to read: all, one kind of entity, or one entity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
}

/// Entries newest first, after the page's cursor (an entry id).
pub(super) fn list(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    page: &PageRequest,
) -> ApiResult<Vec<AuditRow>> {
    let mut query = audit_log::table
        .select(AuditRow::as_select())
        .order(audit_log::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(entity) = &filter.entity {
        query = query.filter(audit_log::entity.eq(entity.clone()));
    }
    if let Some(id) = &filter.entity_id {
        query = query.filter(audit_log::entity_id.eq(id.clone()));
    }
    if let Some(after) = &page.after {
        query = query.filter(audit_log::id.lt(after.clone()));
    }
    Ok(query.load(conn)?)
}
