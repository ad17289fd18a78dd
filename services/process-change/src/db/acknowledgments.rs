//! Acknowledgment rows and queries, written in batches where the work is a batch.

use chrono::{NaiveDate, NaiveDateTime};
use continuity_contract::{DepartmentCode, EmployeeId, Name, NoticeId, ProjectId};
use continuity_shared::db::{CorruptRow, DbConnection, DbResult};
use continuity_shared::{clock, with_backend};
use diesel::prelude::*;

use super::schema::{acknowledgments as a, notices as n};
use crate::domain::acknowledgment::AckStatus;
use crate::domain::notice::NoticeStatus;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = a)]
pub struct AckRow {
    pub notice_id: String,
    pub employee_id: String,
    pub department_code: String,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub acknowledged_by: Option<String>,
    pub overdue_notified_on: Option<NaiveDate>,
}

/// One acknowledgment as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    pub notice_id: NoticeId,
    pub employee_id: EmployeeId,
    pub department_code: DepartmentCode,
    pub status: AckStatus,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub acknowledged_at: Option<chrono::DateTime<chrono::Utc>>,
    pub acknowledged_by: Option<String>,
}

impl TryFrom<AckRow> for Ack {
    type Error = CorruptRow;
    fn try_from(r: AckRow) -> Result<Self, CorruptRow> {
        let key = format!("{}/{}", r.notice_id, r.employee_id);
        let bad = |c| CorruptRow::new("acknowledgments", &key, c);
        Ok(Self {
            notice_id: NoticeId::parse(&r.notice_id).map_err(|_| bad("notice_id"))?,
            employee_id: EmployeeId::parse(&r.employee_id).map_err(|_| bad("employee_id"))?,
            department_code: DepartmentCode::parse(&r.department_code)
                .map_err(|_| bad("department_code"))?,
            status: AckStatus::parse(&r.status).ok_or_else(|| bad("status"))?,
            created_at: clock::utc(r.created_at),
            acknowledged_at: r.acknowledged_at.map(clock::utc),
            acknowledged_by: r.acknowledged_by,
        })
    }
}

/// Rows per multi-row INSERT: 4 parameters each, well under either backend's limit.
const BATCH: usize = 1000;

/// Adds a pending acknowledgment per (notice, employee, department) not there yet, in
/// multi-row statements; returns how many were added.
pub fn add_pending(
    conn: &mut DbConnection,
    wanted: &[(NoticeId, EmployeeId, DepartmentCode)],
    at: NaiveDateTime,
) -> DbResult<usize> {
    let rows: Vec<_> = wanted
        .iter()
        .map(|(notice, employee, dept)| {
            (
                a::notice_id.eq(notice.to_string()),
                a::employee_id.eq(employee.to_string()),
                a::department_code.eq(dept.to_string()),
                a::status.eq(AckStatus::Pending.as_str()),
                a::created_at.eq(at),
            )
        })
        .collect();
    let mut added = 0;
    for chunk in rows.chunks(BATCH) {
        added += with_backend!(&mut *conn, |c| diesel::insert_into(a::table)
            .values(chunk)
            .on_conflict_do_nothing()
            .execute(c))?;
    }
    Ok(added)
}

pub fn find(
    conn: &mut DbConnection,
    notice: &NoticeId,
    employee: &EmployeeId,
) -> DbResult<Option<Ack>> {
    let row = a::table
        .find((notice.to_string(), employee.to_string()))
        .select(AckRow::as_select())
        .get_result(conn)
        .optional()?;
    Ok(row.map(Ack::try_from).transpose()?)
}

/// Marks a pending acknowledgment done; false when it was not pending.
pub fn acknowledge(
    conn: &mut DbConnection,
    notice: &NoticeId,
    employee: &EmployeeId,
    at: NaiveDateTime,
    by: &str,
) -> DbResult<bool> {
    let n = diesel::update(
        a::table
            .find((notice.to_string(), employee.to_string()))
            .filter(a::status.eq(AckStatus::Pending.as_str())),
    )
    .set((
        a::status.eq(AckStatus::Acknowledged.as_str()),
        a::acknowledged_at.eq(Some(at)),
        a::acknowledged_by.eq(Some(by)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Every acknowledgment of a notice, by department and employee.
pub fn of_notice(conn: &mut DbConnection, notice: &NoticeId) -> DbResult<Vec<Ack>> {
    let rows: Vec<AckRow> = a::table
        .filter(a::notice_id.eq(notice.to_string()))
        .order((a::department_code.asc(), a::employee_id.asc()))
        .select(AckRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(Ack::try_from)
        .collect::<Result<_, _>>()?)
}

/// An employee's acknowledgments of some notices.
pub fn of_employee_for(
    conn: &mut DbConnection,
    employee: &EmployeeId,
    notices: &[NoticeId],
) -> DbResult<Vec<Ack>> {
    let keys: Vec<String> = notices.iter().map(|n| n.to_string()).collect();
    let mut out = Vec::new();
    for chunk in keys.chunks(500) {
        let rows: Vec<AckRow> = a::table
            .filter(a::employee_id.eq(employee.to_string()))
            .filter(a::notice_id.eq_any(chunk))
            .select(AckRow::as_select())
            .load(conn)?;
        for r in rows {
            out.push(Ack::try_from(r)?);
        }
    }
    Ok(out)
}

/// A pending acknowledgment with what a person needs to find the notice.
#[derive(Debug, Clone)]
pub struct PendingAck {
    pub notice_id: NoticeId,
    pub project_id: ProjectId,
    pub number: i64,
    pub title: Name,
    pub department_code: DepartmentCode,
    pub published_on: Option<NaiveDate>,
    pub since: chrono::DateTime<chrono::Utc>,
}

type PendingRow = (
    String,
    String,
    i64,
    String,
    String,
    Option<NaiveDate>,
    NaiveDateTime,
);

fn pending_ack(r: PendingRow) -> Result<PendingAck, CorruptRow> {
    let bad = |c| CorruptRow::new("acknowledgments", &r.0, c);
    Ok(PendingAck {
        notice_id: NoticeId::parse(&r.0).map_err(|_| bad("notice_id"))?,
        project_id: ProjectId::parse(&r.1).map_err(|_| bad("project_id"))?,
        number: r.2,
        title: Name::parse(&r.3).map_err(|_| bad("title"))?,
        department_code: DepartmentCode::parse(&r.4).map_err(|_| bad("department_code"))?,
        published_on: r.5,
        since: clock::utc(r.6),
    })
}

/// An employee's pending acknowledgments, oldest notice first.
pub fn pending_of(conn: &mut DbConnection, employee: &EmployeeId) -> DbResult<Vec<PendingAck>> {
    let rows: Vec<PendingRow> = a::table
        .inner_join(n::table.on(n::notice_id.eq(a::notice_id)))
        .filter(a::employee_id.eq(employee.to_string()))
        .filter(a::status.eq(AckStatus::Pending.as_str()))
        .order(n::number.asc())
        .select((
            a::notice_id,
            n::project_id,
            n::number,
            n::title,
            a::department_code,
            n::published_on,
            a::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(pending_ack)
        .collect::<Result<_, _>>()?)
}

/// Closes an employee's pending acknowledgments as not required; how many.
pub fn close_pending_of(conn: &mut DbConnection, employee: &EmployeeId) -> DbResult<usize> {
    Ok(diesel::update(
        a::table
            .filter(a::employee_id.eq(employee.to_string()))
            .filter(a::status.eq(AckStatus::Pending.as_str())),
    )
    .set(a::status.eq(AckStatus::NotRequired.as_str()))
    .execute(conn)?)
}

/// Pending acknowledgments of notices published on or before `cutoff`, not yet reported
/// overdue: (notice, employee, department, published on).
pub fn overdue_unreported(
    conn: &mut DbConnection,
    cutoff: NaiveDate,
    limit: i64,
) -> DbResult<Vec<(NoticeId, EmployeeId, DepartmentCode, NaiveDate)>> {
    let rows: Vec<(String, String, String, Option<NaiveDate>)> = a::table
        .inner_join(n::table.on(n::notice_id.eq(a::notice_id)))
        .filter(a::status.eq(AckStatus::Pending.as_str()))
        .filter(a::overdue_notified_on.is_null())
        .filter(n::status.eq(NoticeStatus::Published.as_str()))
        .filter(n::published_on.le(cutoff))
        .order((a::notice_id.asc(), a::employee_id.asc()))
        .limit(limit)
        .select((
            a::notice_id,
            a::employee_id,
            a::department_code,
            n::published_on,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(nid, e, d, on)| {
            let bad = |c| CorruptRow::new("acknowledgments", &nid, c);
            Ok((
                NoticeId::parse(&nid).map_err(|_| bad("notice_id"))?,
                EmployeeId::parse(&e).map_err(|_| bad("employee_id"))?,
                DepartmentCode::parse(&d).map_err(|_| bad("department_code"))?,
                on.ok_or_else(|| bad("published_on"))?,
            ))
        })
        .collect()
}

pub fn mark_overdue_reported(
    conn: &mut DbConnection,
    notice: &NoticeId,
    employee: &EmployeeId,
    on: NaiveDate,
) -> DbResult<()> {
    diesel::update(a::table.find((notice.to_string(), employee.to_string())))
        .set(a::overdue_notified_on.eq(Some(on)))
        .execute(conn)?;
    Ok(())
}
