//! Creating, changing, importing and reading employees.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use continuity_contract::EmployeeId;
use continuity_shared::audit::{self, AuditContext, Change};
use continuity_shared::db::{Db, DbConnection, DbResult};
use continuity_shared::etag::IfMatch;
use continuity_shared::events::outbox::{self, Cte};
use continuity_shared::pagination::PageRequest;
use continuity_shared::{ApiResult, FieldError, text};
use serde::Serialize;
use utoipa::ToSchema;

use super::errors::{StaffingError, StaffingResult};
use super::reactions::{self, RosterChange};
use super::{Put, events};
use crate::db::departments;
use crate::db::employees::{self as rows, EmployeeFilter, EmployeeRow};
use crate::domain::Versioned;
use crate::domain::employee::Employee;
use crate::domain::import::{MAX_REPORTED_ERRORS, parse_roster};
use crate::domain::transition::Facts;
use crate::settings::Rules;

fn unknown_department(field: String, code: &str) -> FieldError {
    FieldError::new(
        field,
        text!("department `{code}` does not exist", "部门 `{code}` 不存在"),
    )
}

/// The audit trail's name for employees.
pub const ENTITY: &str = "employee";

/// Creates or replaces an employee, honouring `If-Match`; a change is published and
/// audited in its transaction, with what it means (a resignation, a rescinded one, a
/// departure, a transfer) read against `today`, the company's date.
pub async fn put(
    db: &Db,
    employee: Employee,
    if_match: IfMatch,
    ctx: AuditContext,
    rules: Rules,
) -> StaffingResult<(Versioned<Employee>, Put)> {
    let today = rules.today(ctx.at);
    let alone = (!db.url().is_sqlite())
        .then(|| (employee.clone(), if_match.clone(), ctx.clone()))
        .map(|(employee, if_match, ctx)| {
            move |conn: &mut DbConnection| put_alone(conn, employee, &if_match, today, &ctx)
        });
    let in_transaction = move |conn: &mut DbConnection| {
        // On PostgreSQL two writes of one employee may read the same version; the second's
        // update then finds a newer one and changes nothing. It then locks the row, reads
        // again and applies on top (or answers 412 to a stale `If-Match`) instead of
        // refusing the client with a conflict: nothing was written before the update, so
        // the transaction is intact. Holding the lock, the next attempt cannot be overtaken
        // (without it, ten writers at once kept overtaking each other past any number of
        // attempts); uncontended writes never pay for the lock.
        let mut attempts = 0;
        loop {
            attempts += 1;
            match put_in(conn, &employee, &if_match, today, &ctx, &rules) {
                Err(StaffingError::ConcurrentChange) if attempts < MAX_ATTEMPTS => {
                    rows::lock(conn, employee.employee_id.as_str())?;
                }
                outcome => return outcome,
            }
        }
    };
    match alone {
        Some(alone) => db.publish_statement_or_write(alone, in_transaction).await,
        None => db.write(in_transaction).await,
    }
}

/// On PostgreSQL, a `PUT` that sets nothing off: the read, then [`change_alone`]. Two round
/// trips where a transaction takes four. `None` when it needs the transaction.
fn put_alone(
    conn: &mut DbConnection,
    employee: Employee,
    if_match: &IfMatch,
    today: NaiveDate,
    ctx: &AuditContext,
) -> StaffingResult<Option<(Versioned<Employee>, Put)>> {
    let Some(existing) = find_for_put(conn, &employee)? else {
        return Err(unknown_department_of(&employee));
    };
    if_match.check(existing.as_ref().map(|r| r.version))?;
    change_alone(conn, existing, employee, &Facts::on(today), ctx, None)
}

/// On PostgreSQL, one change of an employee that sets nothing off beyond their row (see
/// [`reactions::sets_off_anything`]): the row, guarded by the version in `existing`, its
/// event, its audit entry and `beside` (see [`audit::write_record_and_publish_alone`]) in
/// one statement that commits alone. An unchanged employee writes nothing. `None` when it
/// needs [`change_in`] in a transaction: something to set off, or the row changed since
/// the read (the transaction then locks it and applies on top); nothing was written then.
pub fn change_alone(
    conn: &mut DbConnection,
    existing: Option<Versioned<Employee>>,
    employee: Employee,
    facts: &Facts,
    ctx: &AuditContext,
    beside: Option<Cte<'_>>,
) -> StaffingResult<Option<(Versioned<Employee>, Put)>> {
    let before = existing.as_ref().map(|e| e.value.clone());
    let (stored, put) = upsert(employee, existing, ctx.at);
    if put == Put::Unchanged {
        return Ok(Some((stored, put)));
    }
    let change = RosterChange {
        before,
        after: stored.value.clone(),
        successor: None,
    };
    if reactions::sets_off_anything(&change) {
        return Ok(None);
    }
    let before = change.before.as_ref();
    let published = events::employee_changed(before, &stored.value, facts, ctx.at)?;
    let row = row_of(&stored);
    let applied = audit::write_record_and_publish_alone(
        conn,
        ctx,
        rows::write_cte(&row, put == Put::Created),
        audit_change(before, &stored.value, put)?,
        &published,
        beside,
    )?;
    Ok(applied.unwrap_or(false).then_some((stored, put)))
}

/// The stored employee (`Some(None)`: none yet) when the department they name exists, in
/// one query.
fn find_for_put(
    conn: &mut DbConnection,
    employee: &Employee,
) -> DbResult<Option<Option<Versioned<Employee>>>> {
    rows::find_in_department(
        conn,
        employee.employee_id.as_str(),
        employee.department_code.as_str(),
    )
}

fn unknown_department_of(employee: &Employee) -> StaffingError {
    StaffingError::Invalid(vec![unknown_department(
        "department_code".into(),
        employee.department_code.as_str(),
    )])
}

/// Attempts before giving up: the second, under the row's lock, is the last one needed.
const MAX_ATTEMPTS: u32 = 3;

fn put_in(
    conn: &mut DbConnection,
    employee: &Employee,
    if_match: &IfMatch,
    today: NaiveDate,
    ctx: &AuditContext,
    rules: &Rules,
) -> StaffingResult<(Versioned<Employee>, Put)> {
    let Some(existing) = find_for_put(conn, employee)? else {
        return Err(unknown_department_of(employee));
    };
    if_match.check(existing.as_ref().map(|r| r.version))?;
    change_in(
        conn,
        existing,
        employee.clone(),
        &Facts::on(today),
        None,
        ctx,
        rules,
    )
}

/// Writes one change of an employee in the caller's transaction, with everything it sets
/// off: the row, the events its transition publishes, the audit entry and the reactions
/// (handovers, coverage) to it. `existing` is the stored employee, if any; `successor`
/// the one HR named. Every path that changes one employee comes through here.
pub fn change_in(
    conn: &mut DbConnection,
    existing: Option<Versioned<Employee>>,
    employee: Employee,
    facts: &Facts,
    successor: Option<EmployeeId>,
    ctx: &AuditContext,
    rules: &Rules,
) -> StaffingResult<(Versioned<Employee>, Put)> {
    let before = existing.as_ref().map(|e| e.value.clone());
    let (stored, put) = upsert(employee, existing, ctx.at);
    if put == Put::Unchanged {
        return Ok((stored, put));
    }
    let published = events::employee_changed(before.as_ref(), &stored.value, facts, ctx.at)?;
    let row = row_of(&stored);
    // The row, its events and its audit entry: on PostgreSQL one statement.
    let applied = audit::write_record_and_publish(
        conn,
        ctx,
        rows::write_cte(&row, put == Put::Created),
        |conn| Ok(write_row(conn, &row, put)?),
        audit_change(before.as_ref(), &stored.value, put)?,
        &published,
    )?;
    if !applied {
        return Err(StaffingError::ConcurrentChange);
    }
    let change = RosterChange {
        before,
        after: stored.value.clone(),
        successor,
    };
    reactions::roster_changed(conn, &[change], ctx, rules)?;
    Ok((stored, put))
}

/// What an upsert of one employee comes to: the stored value and what happened. Free of
/// I/O.
fn upsert(
    employee: Employee,
    existing: Option<Versioned<Employee>>,
    now: DateTime<Utc>,
) -> (Versioned<Employee>, Put) {
    let (version, created_at, put) = match existing {
        None => (1, now, Put::Created),
        Some(old) if old.value == employee => return (old, Put::Unchanged),
        Some(old) => (old.version + 1, old.created_at, Put::Updated),
    };
    let stored = Versioned {
        value: employee,
        version,
        created_at,
        updated_at: now,
    };
    (stored, put)
}

/// The trail's entry for a change to one employee; none when nothing changed.
fn audit_change(
    before: Option<&Employee>,
    after: &Employee,
    put: Put,
) -> ApiResult<Option<Change>> {
    let id = after.employee_id.as_str();
    Ok(match (put, before) {
        (Put::Unchanged, _) => None,
        (_, None) => Some(Change::created(ENTITY, id, after)?),
        (_, Some(old)) => Some(Change::updated(ENTITY, id, old, after)?),
    })
}

fn row_of(stored: &Versioned<Employee>) -> EmployeeRow {
    EmployeeRow::new(
        &stored.value,
        stored.version,
        stored.created_at.naive_utc(),
        stored.updated_at.naive_utc(),
    )
}

/// Writes the row; false when another transaction added or changed it meanwhile.
fn write_row(conn: &mut DbConnection, row: &EmployeeRow, put: Put) -> DbResult<bool> {
    match put {
        Put::Created => rows::insert(conn, row),
        Put::Updated => rows::update(conn, row),
        Put::Unchanged => Ok(true),
    }
}

fn write(conn: &mut DbConnection, stored: &Versioned<Employee>, put: Put) -> StaffingResult<()> {
    match write_row(conn, &row_of(stored), put)? {
        true => Ok(()),
        false => Err(StaffingError::ConcurrentChange),
    }
}

pub async fn get(db: &Db, id: EmployeeId) -> StaffingResult<Versioned<Employee>> {
    db.read(move |conn| rows::find(conn, id.as_str())?.ok_or(StaffingError::EmployeeNotFound(id)))
        .await
}

pub async fn list(
    db: &Db,
    filter: EmployeeFilter,
    page: PageRequest,
) -> StaffingResult<Vec<Versioned<Employee>>> {
    db.read(move |conn| Ok(rows::list(conn, &filter, &page)?))
        .await
}

/// What an import did.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct ImportReport {
    /// Data rows in the file.
    pub received: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// A roster file as employees as of `today` (the company's date: leave dates are read
/// against it), or every bad row; at most `max_rows` rows. Free of I/O.
pub fn parse_import(
    csv: &[u8],
    today: NaiveDate,
    max_rows: usize,
) -> StaffingResult<Vec<Employee>> {
    let employees = parse_roster(csv, today).map_err(StaffingError::Invalid)?;
    if employees.len() > max_rows {
        return Err(StaffingError::Invalid(vec![FieldError::new(
            "rows",
            text!(
                "a file may hold at most {max_rows} rows",
                "一个文件最多 {max_rows} 行"
            ),
        )]));
    }
    Ok(employees)
}

/// Rows of an import worked out together, away from the write transaction's thread.
const IMPORT_PART_ROWS: usize = 2_000;

/// What a part of an import writes: its new and changed rows, their events and audit
/// entries ready to insert, and the changes the roster reacts to.
struct ImportPart {
    fresh: Vec<EmployeeRow>,
    updated: Vec<Versioned<Employee>>,
    unchanged: usize,
    published: Vec<outbox::Serialized>,
    entries: audit::Entries,
    roster: Vec<RosterChange>,
}

impl ImportPart {
    /// Each row against the employee it replaces (taken out of `existing`). Free of I/O.
    fn work_out(
        employees: Vec<Employee>,
        existing: &mut HashMap<String, Versioned<Employee>>,
        facts: &Facts,
        ctx: &AuditContext,
    ) -> StaffingResult<Self> {
        let now = ctx.at;
        let mut fresh = Vec::new();
        let mut updated = Vec::new();
        let mut unchanged = 0;
        let mut published = Vec::new();
        let mut changes = Vec::new();
        let mut roster = Vec::new();
        for employee in employees {
            let old = existing.remove(employee.employee_id.as_str());
            let before = old.as_ref().map(|e| e.value.clone());
            let (stored, put) = upsert(employee, old, now);
            changes.extend(audit_change(before.as_ref(), &stored.value, put)?);
            if put != Put::Unchanged {
                for event in events::employee_changed(before.as_ref(), &stored.value, facts, now)? {
                    published.push(outbox::Serialized::new(event)?);
                }
                roster.push(RosterChange {
                    before,
                    after: stored.value.clone(),
                    successor: None,
                });
            }
            match put {
                Put::Created => fresh.push(EmployeeRow::new(
                    &stored.value,
                    1,
                    now.naive_utc(),
                    now.naive_utc(),
                )),
                Put::Updated => updated.push(stored),
                Put::Unchanged => unchanged += 1,
            }
        }
        Ok(Self {
            fresh,
            updated,
            unchanged,
            published,
            entries: audit::Entries::new(ctx, changes)?,
            roster,
        })
    }

    fn write_in(&self, conn: &mut DbConnection) -> StaffingResult<()> {
        for stored in &self.updated {
            write(conn, stored, Put::Updated)?;
        }
        rows::insert_many(conn, &self.fresh)?;
        outbox::publish_serialized(conn, &self.published)?;
        audit::record_entries(conn, &self.entries)?;
        Ok(())
    }
}

/// Applies parsed roster rows in the caller's transaction: every row applied, or nothing
/// changed and every row with an unknown department reported. Published and audited in
/// the same transaction, in few statements.
pub fn import_in(
    conn: &mut DbConnection,
    employees: Vec<Employee>,
    ctx: &AuditContext,
    rules: &Rules,
) -> StaffingResult<ImportReport> {
    let facts = Facts::on(rules.today(ctx.at));
    let codes: Vec<String> = employees
        .iter()
        .map(|e| e.department_code.to_string())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let known: HashSet<String> = departments::existing_codes(conn, &codes)?
        .into_iter()
        .collect();
    let unknown: Vec<FieldError> = employees
        .iter()
        .enumerate()
        .filter(|(_, e)| !known.contains(e.department_code.as_str()))
        .map(|(i, e)| {
            unknown_department(
                format!("rows[{}].department_code", i + 1),
                e.department_code.as_str(),
            )
        })
        .take(MAX_REPORTED_ERRORS)
        .collect();
    if !unknown.is_empty() {
        return Err(StaffingError::Invalid(unknown));
    }
    let ids: Vec<String> = employees
        .iter()
        .map(|e| e.employee_id.to_string())
        .collect();
    let mut existing: HashMap<String, Versioned<Employee>> = rows::find_many(conn, &ids)?
        .into_iter()
        .map(|r| (r.value.employee_id.to_string(), r))
        .collect();
    let mut report = ImportReport {
        received: employees.len(),
        created: 0,
        updated: 0,
        unchanged: 0,
    };
    let mut roster = Vec::new();
    // The rows' events and audit entries are worked out on a second thread, a part
    // ahead of this one, which holds the write transaction: it only writes.
    std::thread::scope(|scope| -> StaffingResult<()> {
        let (ready, parts) = std::sync::mpsc::sync_channel(1);
        scope.spawn(move || {
            let mut employees = employees.into_iter();
            loop {
                let rows: Vec<Employee> = employees.by_ref().take(IMPORT_PART_ROWS).collect();
                if rows.is_empty() {
                    break;
                }
                let part = ImportPart::work_out(rows, &mut existing, &facts, ctx);
                let failed = part.is_err();
                // Gone: the writer failed and is rolling back.
                if ready.send(part).is_err() || failed {
                    break;
                }
            }
        });
        for part in parts {
            let part = part?;
            part.write_in(conn)?;
            report.created += part.fresh.len();
            report.updated += part.updated.len();
            report.unchanged += part.unchanged;
            roster.extend(part.roster);
        }
        Ok(())
    })?;
    reactions::roster_changed(conn, &roster, ctx, rules)?;
    Ok(report)
}
