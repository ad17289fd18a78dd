//! Session rows and their audience.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use continuity_contract::{DepartmentCode, Name, ProjectId};
use continuity_shared::clock;
use continuity_shared::db::{CorruptRow, DbConnection, DbResult};
use continuity_shared::pagination::PageRequest;
use continuity_shared::with_backend;
use diesel::prelude::*;

use super::schema::{session_audience as sa, training_sessions as ts};
use crate::domain::Versioned;
use crate::domain::ids::SessionId;
use crate::domain::session::TrainingSession;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = ts)]
pub struct SessionRow {
    pub session_id: String,
    pub project_id: String,
    pub title: String,
    pub module: String,
    pub held_on: NaiveDate,
    pub trainer: String,
    pub duration_minutes: i32,
    pub description: String,
    pub required: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl SessionRow {
    pub fn new(s: &Versioned<TrainingSession>) -> Self {
        let v = &s.value;
        Self {
            session_id: v.session_id.to_string(),
            project_id: v.project_id.to_string(),
            title: v.title.to_string(),
            module: v.module.to_string(),
            held_on: v.held_on,
            trainer: v.trainer.to_string(),
            duration_minutes: v.duration_minutes as i32,
            description: v.description.clone(),
            required: v.required,
            version: s.version,
            created_at: s.created_at.naive_utc(),
            updated_at: s.updated_at.naive_utc(),
        }
    }

    fn into_domain(self, audience: Vec<String>) -> Result<Versioned<TrainingSession>, CorruptRow> {
        let bad = |column| CorruptRow::new("training_sessions", &self.session_id, column);
        let departments = audience
            .iter()
            .map(|d| DepartmentCode::parse(d).map_err(|_| bad("departments")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Versioned {
            value: TrainingSession {
                session_id: SessionId::parse(&self.session_id).map_err(|_| bad("session_id"))?,
                project_id: ProjectId::parse(&self.project_id).map_err(|_| bad("project_id"))?,
                title: Name::parse(&self.title).map_err(|_| bad("title"))?,
                module: Name::parse(&self.module).map_err(|_| bad("module"))?,
                held_on: self.held_on,
                trainer: Name::parse(&self.trainer).map_err(|_| bad("trainer"))?,
                duration_minutes: u32::try_from(self.duration_minutes)
                    .map_err(|_| bad("duration_minutes"))?,
                departments,
                description: self.description,
                required: self.required,
            },
            version: self.version,
            created_at: clock::utc(self.created_at),
            updated_at: clock::utc(self.updated_at),
        })
    }
}

fn with_audience(
    conn: &mut DbConnection,
    rows: Vec<SessionRow>,
) -> DbResult<Vec<Versioned<TrainingSession>>> {
    let ids: Vec<&str> = rows.iter().map(|r| r.session_id.as_str()).collect();
    let pairs: Vec<(String, String)> = sa::table
        .filter(sa::session_id.eq_any(ids))
        .order((sa::session_id.asc(), sa::department_code.asc()))
        .select((sa::session_id, sa::department_code))
        .load(conn)?;
    assemble(rows, pairs)
}

/// Each session with its audience, from the audience's (session, department) pairs.
fn assemble(
    rows: Vec<SessionRow>,
    pairs: Vec<(String, String)>,
) -> DbResult<Vec<Versioned<TrainingSession>>> {
    let mut audiences: HashMap<String, Vec<String>> = HashMap::with_capacity(rows.len());
    for (session, department) in pairs {
        audiences.entry(session).or_default().push(department);
    }
    rows.into_iter()
        .map(|row| {
            let audience = audiences.remove(&row.session_id).unwrap_or_default();
            row.into_domain(audience).map_err(Into::into)
        })
        .collect()
}

pub fn find(
    conn: &mut DbConnection,
    id: &SessionId,
) -> DbResult<Option<Versioned<TrainingSession>>> {
    let row = ts::table
        .find(id.to_string())
        .select(SessionRow::as_select())
        .get_result(conn)
        .optional()?;
    match row {
        None => Ok(None),
        Some(r) => Ok(with_audience(conn, vec![r])?.pop()),
    }
}

pub fn insert(conn: &mut DbConnection, s: &Versioned<TrainingSession>) -> DbResult<()> {
    diesel::insert_into(ts::table)
        .values(SessionRow::new(s))
        .execute(conn)?;
    write_audience(conn, &s.value)
}

pub fn update(conn: &mut DbConnection, s: &Versioned<TrainingSession>) -> DbResult<()> {
    let row = SessionRow::new(s);
    diesel::update(ts::table.find(&row.session_id))
        .set(&row)
        .execute(conn)?;
    diesel::delete(sa::table.filter(sa::session_id.eq(&row.session_id))).execute(conn)?;
    write_audience(conn, &s.value)
}

fn write_audience(conn: &mut DbConnection, s: &TrainingSession) -> DbResult<()> {
    let id = s.session_id.to_string();
    let rows: Vec<_> = s
        .departments
        .iter()
        .map(|d| {
            (
                sa::session_id.eq(id.clone()),
                sa::department_code.eq(d.as_str()),
            )
        })
        .collect();
    with_backend!(&mut *conn, |c| diesel::insert_into(sa::table)
        .values(rows)
        .execute(c))?;
    Ok(())
}

/// Filters of a session list.
#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    pub module: Option<String>,
    pub department: Option<DepartmentCode>,
    pub held_from: Option<NaiveDate>,
    pub held_to: Option<NaiveDate>,
}

pub fn list(
    conn: &mut DbConnection,
    project: &ProjectId,
    filter: &SessionFilter,
    page: &PageRequest,
) -> DbResult<Vec<Versioned<TrainingSession>>> {
    let mut q = ts::table
        .filter(ts::project_id.eq(project.to_string()))
        .select(SessionRow::as_select())
        .order(ts::session_id.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(ts::session_id.gt(after.clone()));
    }
    if let Some(m) = &filter.module {
        q = q.filter(ts::module.eq(m.clone()));
    }
    if let Some(from) = filter.held_from {
        q = q.filter(ts::held_on.ge(from));
    }
    if let Some(to) = filter.held_to {
        q = q.filter(ts::held_on.le(to));
    }
    if let Some(d) = &filter.department {
        let ids = sa::table
            .filter(sa::department_code.eq(d.as_str().to_owned()))
            .select(sa::session_id);
        q = q.filter(ts::session_id.eq_any(ids));
    }
    let rows = q.load(conn)?;
    with_audience(conn, rows)
}

/// Every session of a project, by date held (the catch-up plan's order).
pub fn of_project(
    conn: &mut DbConnection,
    project: &ProjectId,
) -> DbResult<Vec<Versioned<TrainingSession>>> {
    let rows = ts::table
        .filter(ts::project_id.eq(project.to_string()))
        .select(SessionRow::as_select())
        .order((ts::held_on.asc(), ts::session_id.asc()))
        .load(conn)?;
    // The audience by the project, not by a list of sessions: one statement, prepared once.
    let pairs: Vec<(String, String)> = sa::table
        .inner_join(ts::table)
        .filter(ts::project_id.eq(project.to_string()))
        .order((sa::session_id.asc(), sa::department_code.asc()))
        .select((sa::session_id, sa::department_code))
        .load(conn)?;
    assemble(rows, pairs)
}
