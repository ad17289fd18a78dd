//! Notice rows and queries: the notice, its changes in order, the departments it went to.

use chrono::{NaiveDate, NaiveDateTime};
use continuity_contract::{DepartmentCode, Name, NoticeId, ProcessChangeId, ProjectId};
use continuity_shared::db::{CorruptRow, DbConnection, DbResult};
use continuity_shared::{clock, with_backend};
use diesel::dsl::max;
use diesel::prelude::*;

use super::schema::{
    notice_changes as nc, notice_departments as nd, notices as n, process_changes as pc,
};
use crate::domain::Versioned;
use crate::domain::lifecycle::ChangeStatus;
use crate::domain::notice::{Notice, NoticeStatus};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = n, treat_none_as_null = true)]
pub struct NoticeRow {
    pub notice_id: String,
    pub project_id: String,
    pub number: i64,
    pub title: String,
    pub status: String,
    pub created_by: String,
    pub published_on: Option<NaiveDate>,
    pub published_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl NoticeRow {
    fn new(v: &Versioned<Notice>) -> Self {
        let x = &v.value;
        Self {
            notice_id: x.notice_id.to_string(),
            project_id: x.project_id.to_string(),
            number: x.number,
            title: x.title.to_string(),
            status: x.status.as_str().to_owned(),
            created_by: x.created_by.clone(),
            published_on: x.published_on,
            published_at: x.published_at.map(|t| t.naive_utc()),
            version: v.version,
            created_at: v.created_at.naive_utc(),
            updated_at: v.updated_at.naive_utc(),
        }
    }

    fn into_value(self, change_ids: Vec<String>) -> Result<Versioned<Notice>, CorruptRow> {
        let bad = |column| CorruptRow::new("notices", &self.notice_id, column);
        Ok(Versioned {
            value: Notice {
                notice_id: NoticeId::parse(&self.notice_id).map_err(|_| bad("notice_id"))?,
                project_id: ProjectId::parse(&self.project_id).map_err(|_| bad("project_id"))?,
                number: self.number,
                title: Name::parse(&self.title).map_err(|_| bad("title"))?,
                status: NoticeStatus::parse(&self.status).ok_or_else(|| bad("status"))?,
                change_ids: change_ids
                    .iter()
                    .map(|c| ProcessChangeId::parse(c).map_err(|_| bad("change_ids")))
                    .collect::<Result<_, _>>()?,
                created_by: self.created_by,
                published_on: self.published_on,
                published_at: self.published_at.map(clock::utc),
            },
            version: self.version,
            created_at: clock::utc(self.created_at),
            updated_at: clock::utc(self.updated_at),
        })
    }
}

/// The next notice number (the writer holds the only write transaction).
pub fn next_number(conn: &mut DbConnection) -> DbResult<i64> {
    let last: Option<i64> = n::table.select(max(n::number)).get_result(conn)?;
    Ok(last.unwrap_or(0) + 1)
}

pub fn insert(conn: &mut DbConnection, v: &Versioned<Notice>) -> DbResult<()> {
    diesel::insert_into(n::table)
        .values(NoticeRow::new(v))
        .execute(conn)?;
    let id = v.value.notice_id.to_string();
    let rows: Vec<_> = v
        .value
        .change_ids
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                nc::notice_id.eq(id.clone()),
                nc::change_id.eq(c.to_string()),
                nc::position.eq(i32::try_from(i).unwrap_or(i32::MAX)),
            )
        })
        .collect();
    for chunk in rows.chunks(300) {
        with_backend!(&mut *conn, |c| diesel::insert_into(nc::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

pub fn update(conn: &mut DbConnection, v: &Versioned<Notice>) -> DbResult<()> {
    diesel::update(n::table.find(v.value.notice_id.to_string()))
        .set(NoticeRow::new(v))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &NoticeId) -> DbResult<Option<Versioned<Notice>>> {
    let key = id.to_string();
    let Some(row) = n::table
        .find(&key)
        .select(NoticeRow::as_select())
        .get_result(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let changes: Vec<String> = nc::table
        .filter(nc::notice_id.eq(&key))
        .order(nc::position.asc())
        .select(nc::change_id)
        .load(conn)?;
    Ok(Some(row.into_value(changes)?))
}

pub fn insert_departments(
    conn: &mut DbConnection,
    id: &NoticeId,
    departments: &[DepartmentCode],
) -> DbResult<()> {
    let rows: Vec<_> = departments
        .iter()
        .map(|d| {
            (
                nd::notice_id.eq(id.to_string()),
                nd::department_code.eq(d.to_string()),
            )
        })
        .collect();
    for chunk in rows.chunks(300) {
        with_backend!(&mut *conn, |c| diesel::insert_into(nd::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

pub fn departments(conn: &mut DbConnection, id: &NoticeId) -> DbResult<Vec<DepartmentCode>> {
    let codes: Vec<String> = nd::table
        .filter(nd::notice_id.eq(id.to_string()))
        .order(nd::department_code.asc())
        .select(nd::department_code)
        .load(conn)?;
    codes
        .iter()
        .map(|c| {
            DepartmentCode::parse(c)
                .map_err(|_| CorruptRow::new("notice_departments", c, "department_code").into())
        })
        .collect()
}

/// The current notices of a department: sent to it, with at least one change still
/// published. With when each was published.
pub fn current_of_department(
    conn: &mut DbConnection,
    department: &DepartmentCode,
) -> DbResult<Vec<(NoticeId, NaiveDate)>> {
    let current = pc::table
        .filter(pc::status.eq(ChangeStatus::Published.as_str()))
        .filter(pc::notice_id.is_not_null())
        .select(pc::notice_id.assume_not_null());
    let rows: Vec<(String, Option<NaiveDate>)> = n::table
        .inner_join(nd::table.on(nd::notice_id.eq(n::notice_id)))
        .filter(nd::department_code.eq(department.to_string()))
        .filter(n::notice_id.eq_any(current))
        .order(n::notice_id.asc())
        .select((n::notice_id, n::published_on))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, on)| {
            let bad = || CorruptRow::new("notices", &id, "published_on");
            Ok((
                NoticeId::parse(&id).map_err(|_| bad())?,
                on.ok_or_else(bad)?,
            ))
        })
        .collect()
}
