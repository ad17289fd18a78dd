//! Creating, changing and reading departments.

use chrono::{DateTime, Utc};
use continuity_contract::DepartmentCode;
use continuity_shared::ApiError;
use continuity_shared::audit::{self, AuditContext, Change};
use continuity_shared::db::{Db, DbConnection};
use continuity_shared::etag::IfMatch;
use continuity_shared::events::outbox;
use continuity_shared::pagination::PageRequest;

use super::coverage::{self, Scope};
use super::errors::{StaffingError, StaffingResult};
use super::{Put, events};
use crate::db::departments::{self as rows, DepartmentRow};
use crate::domain::Versioned;
use crate::domain::department::Department;
use crate::settings::Rules;

/// The audit trail's name for departments.
pub const ENTITY: &str = "department";

/// Creates or replaces a department, honouring `If-Match`; a change is published and
/// audited in its transaction, an unchanged department neither.
pub async fn put(
    db: &Db,
    dept: Department,
    if_match: IfMatch,
    ctx: AuditContext,
    rules: Rules,
) -> StaffingResult<(Versioned<Department>, Put)> {
    let now = ctx.at;
    db.write(move |conn| {
        let existing = rows::find(conn, dept.code.as_str())?;
        if_match.check(existing.as_ref().map(|r| r.version))?;
        let (version, created_at, put) = match &existing {
            None => (1, now, Put::Created),
            Some(old) if old.value == dept => return Ok((old.clone(), Put::Unchanged)),
            Some(old) => (old.version + 1, old.created_at, Put::Updated),
        };
        let row = DepartmentRow::new(&dept, version, created_at.naive_utc(), now.naive_utc());
        let applied = match existing {
            None => rows::insert(conn, &row)?,
            Some(_) => rows::update(conn, &row)?,
        };
        if !applied {
            return Err(StaffingError::ConcurrentChange);
        }
        outbox::publish(conn, &[events::department_upserted(&dept, now)?])?;
        let change = match &existing {
            None => Change::created(ENTITY, dept.code.as_str(), &dept)?,
            Some(old) => Change::updated(ENTITY, dept.code.as_str(), &old.value, &dept)?,
        };
        audit::record(conn, &ctx, change)?;
        // A new minimum, or a department becoming key, moves coverage on every project.
        coverage::recheck(conn, Scope::All, &rules, now)?;
        let stored = Versioned {
            value: dept,
            version,
            created_at,
            updated_at: now,
        };
        Ok((stored, put))
    })
    .await
}

pub async fn get(db: &Db, code: DepartmentCode) -> StaffingResult<Versioned<Department>> {
    db.read(move |conn| {
        rows::find(conn, code.as_str())?.ok_or(StaffingError::DepartmentNotFound(code))
    })
    .await
}

pub async fn list(db: &Db, page: PageRequest) -> StaffingResult<Vec<Versioned<Department>>> {
    db.read(move |conn| Ok(rows::list(conn, &page)?)).await
}

/// The key departments a new installation starts with (minimum 2 each); all editable.
pub const SEED: [(&str, &str); 3] = [
    ("sales", "Sales"),
    ("quality", "Quality"),
    ("after_sales", "After-sales"),
];

/// Creates the key departments when there are no departments at all (a new
/// installation), publishing and auditing them like any other; otherwise nothing.
pub fn seed_in(conn: &mut DbConnection, now: DateTime<Utc>) -> StaffingResult<()> {
    let first = PageRequest {
        limit: 1,
        after: None,
    };
    if !rows::list(conn, &first)?.is_empty() {
        return Ok(());
    }
    let ctx = AuditContext::for_event(events::SOURCE, "first-start", now);
    for (code, name) in SEED {
        let code = DepartmentCode::parse(code).map_err(ApiError::internal)?;
        let dept = Department::new(code, name, true, None)
            .map_err(|_| ApiError::internal(format!("seed department {name} does not validate")))?;
        let row = DepartmentRow::new(&dept, 1, now.naive_utc(), now.naive_utc());
        if !rows::insert_if_absent(conn, &row)? {
            continue; // another replica, starting at the same moment, seeded it
        }
        outbox::publish(conn, &[events::department_upserted(&dept, now)?])?;
        audit::record(
            conn,
            &ctx,
            Change::created(ENTITY, dept.code.as_str(), &dept)?,
        )?;
    }
    Ok(())
}
