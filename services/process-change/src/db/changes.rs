//! Process-change rows and queries.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use continuity_contract::{DepartmentCode, Name, NoticeId, ProcessChangeId, ProjectId, Reason};
use continuity_shared::db::{CorruptRow, DbConnection, DbResult};
use continuity_shared::pagination::PageRequest;
use continuity_shared::{clock, with_backend};
use diesel::prelude::*;

use super::schema::{change_departments as cd, process_changes as pc};
use crate::domain::Versioned;
use crate::domain::change::{ChangeFields, ProcessChange};
use crate::domain::lifecycle::ChangeStatus;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = pc, treat_none_as_null = true)]
pub struct ChangeRow {
    pub change_id: String,
    pub project_id: String,
    pub process: String,
    pub step: String,
    pub before_text: String,
    pub after_text: String,
    pub reason: String,
    pub effective_date: NaiveDate,
    pub recorded_by: String,
    pub status: String,
    pub notice_id: Option<String>,
    pub superseded_by: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ChangeRow {
    pub fn new(c: &Versioned<ProcessChange>) -> Self {
        let (v, f) = (&c.value, &c.value.fields);
        Self {
            change_id: v.change_id.to_string(),
            project_id: v.project_id.to_string(),
            process: f.process.to_string(),
            step: f.step.to_string(),
            before_text: f.before.to_string(),
            after_text: f.after.to_string(),
            reason: f.reason.to_string(),
            effective_date: f.effective_date,
            recorded_by: f.recorded_by.to_string(),
            status: v.status.as_str().to_owned(),
            notice_id: v.notice_id.map(|n| n.to_string()),
            superseded_by: v.superseded_by.map(|s| s.to_string()),
            version: c.version,
            created_at: c.created_at.naive_utc(),
            updated_at: c.updated_at.naive_utc(),
        }
    }

    fn into_value(self, departments: Vec<String>) -> Result<Versioned<ProcessChange>, CorruptRow> {
        let bad = |column| CorruptRow::new("process_changes", &self.change_id, column);
        let departments = departments
            .iter()
            .map(|d| DepartmentCode::parse(d).map_err(|_| bad("departments")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Versioned {
            value: ProcessChange {
                change_id: ProcessChangeId::parse(&self.change_id).map_err(|_| bad("change_id"))?,
                project_id: ProjectId::parse(&self.project_id).map_err(|_| bad("project_id"))?,
                fields: ChangeFields {
                    process: Name::parse(&self.process).map_err(|_| bad("process"))?,
                    step: Name::parse(&self.step).map_err(|_| bad("step"))?,
                    before: Reason::parse(&self.before_text).map_err(|_| bad("before_text"))?,
                    after: Reason::parse(&self.after_text).map_err(|_| bad("after_text"))?,
                    reason: Reason::parse(&self.reason).map_err(|_| bad("reason"))?,
                    departments,
                    effective_date: self.effective_date,
                    recorded_by: Name::parse(&self.recorded_by).map_err(|_| bad("recorded_by"))?,
                },
                status: ChangeStatus::parse(&self.status).ok_or_else(|| bad("status"))?,
                notice_id: match &self.notice_id {
                    None => None,
                    Some(n) => Some(NoticeId::parse(n).map_err(|_| bad("notice_id"))?),
                },
                superseded_by: match &self.superseded_by {
                    None => None,
                    Some(s) => Some(ProcessChangeId::parse(s).map_err(|_| bad("superseded_by"))?),
                },
            },
            version: self.version,
            created_at: clock::utc(self.created_at),
            updated_at: clock::utc(self.updated_at),
        })
    }
}

/// The rows with their departments, in the rows' order.
fn with_departments(
    conn: &mut DbConnection,
    rows: Vec<ChangeRow>,
) -> DbResult<Vec<Versioned<ProcessChange>>> {
    let mut by_change: HashMap<String, Vec<String>> = HashMap::new();
    let ids: Vec<&str> = rows.iter().map(|r| r.change_id.as_str()).collect();
    for chunk in ids.chunks(500) {
        let pairs: Vec<(String, String)> = cd::table
            .filter(cd::change_id.eq_any(chunk))
            .order((cd::change_id.asc(), cd::department_code.asc()))
            .select((cd::change_id, cd::department_code))
            .load(conn)?;
        for (c, d) in pairs {
            by_change.entry(c).or_default().push(d);
        }
    }
    rows.into_iter()
        .map(|r| {
            let depts = by_change.remove(&r.change_id).unwrap_or_default();
            Ok(r.into_value(depts)?)
        })
        .collect()
}

pub fn insert(conn: &mut DbConnection, c: &Versioned<ProcessChange>) -> DbResult<()> {
    diesel::insert_into(pc::table)
        .values(ChangeRow::new(c))
        .execute(conn)?;
    insert_departments(conn, c)
}

fn insert_departments(conn: &mut DbConnection, c: &Versioned<ProcessChange>) -> DbResult<()> {
    let id = c.value.change_id.to_string();
    let rows: Vec<_> = c
        .value
        .fields
        .departments
        .iter()
        .map(|d| {
            (
                cd::change_id.eq(id.clone()),
                cd::department_code.eq(d.to_string()),
            )
        })
        .collect();
    with_backend!(&mut *conn, |c| diesel::insert_into(cd::table)
        .values(&rows)
        .execute(c))?;
    Ok(())
}

/// Writes the row and, when they changed, its departments.
pub fn update(
    conn: &mut DbConnection,
    old: &Versioned<ProcessChange>,
    new: &Versioned<ProcessChange>,
) -> DbResult<()> {
    let id = new.value.change_id.to_string();
    diesel::update(pc::table.find(&id))
        .set(ChangeRow::new(new))
        .execute(conn)?;
    if old.value.fields.departments != new.value.fields.departments {
        diesel::delete(cd::table.filter(cd::change_id.eq(&id))).execute(conn)?;
        insert_departments(conn, new)?;
    }
    Ok(())
}

pub fn find(
    conn: &mut DbConnection,
    id: &ProcessChangeId,
) -> DbResult<Option<Versioned<ProcessChange>>> {
    let row = pc::table
        .find(id.to_string())
        .select(ChangeRow::as_select())
        .get_result(conn)
        .optional()?;
    Ok(match row {
        Some(r) => with_departments(conn, vec![r])?.pop(),
        None => None,
    })
}

/// The changes of `ids` that exist, in the order of `ids`.
pub fn find_many(
    conn: &mut DbConnection,
    ids: &[ProcessChangeId],
) -> DbResult<Vec<Versioned<ProcessChange>>> {
    let keys: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    let mut rows = Vec::new();
    for chunk in keys.chunks(500) {
        rows.extend(
            pc::table
                .filter(pc::change_id.eq_any(chunk))
                .select(ChangeRow::as_select())
                .load(conn)?,
        );
    }
    let mut found = with_departments(conn, rows)?;
    found.sort_by_key(|c| ids.iter().position(|i| *i == c.value.change_id));
    Ok(found)
}

/// What a list of a project's changes may be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct ChangeFilter {
    pub process: Option<String>,
    pub department: Option<DepartmentCode>,
    pub status: Option<ChangeStatus>,
}

pub fn list(
    conn: &mut DbConnection,
    project: &ProjectId,
    filter: &ChangeFilter,
    page: &PageRequest,
) -> DbResult<Vec<Versioned<ProcessChange>>> {
    let mut q = pc::table
        .filter(pc::project_id.eq(project.to_string()))
        .select(ChangeRow::as_select())
        .order(pc::change_id.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(a) = &page.after {
        q = q.filter(pc::change_id.gt(a.clone()));
    }
    if let Some(p) = &filter.process {
        q = q.filter(pc::process.eq(p.clone()));
    }
    if let Some(s) = filter.status {
        q = q.filter(pc::status.eq(s.as_str()));
    }
    if let Some(d) = &filter.department {
        let ids = cd::table
            .filter(cd::department_code.eq(d.to_string()))
            .select(cd::change_id);
        q = q.filter(pc::change_id.eq_any(ids));
    }
    let rows = q.load(conn)?;
    with_departments(conn, rows)
}

/// A project's changes in `status`, by process, step and id (the comparison's order).
pub fn in_status(
    conn: &mut DbConnection,
    project: &ProjectId,
    status: ChangeStatus,
) -> DbResult<Vec<Versioned<ProcessChange>>> {
    let rows = pc::table
        .filter(pc::project_id.eq(project.to_string()))
        .filter(pc::status.eq(status.as_str()))
        .order((pc::process.asc(), pc::step.asc(), pc::change_id.asc()))
        .select(ChangeRow::as_select())
        .load(conn)?;
    with_departments(conn, rows)
}

/// The published changes of a project's process and step.
pub fn published_of_step(
    conn: &mut DbConnection,
    project: &ProjectId,
    process: &Name,
    step: &Name,
) -> DbResult<Vec<Versioned<ProcessChange>>> {
    let rows = pc::table
        .filter(pc::project_id.eq(project.to_string()))
        .filter(pc::process.eq(process.as_str()))
        .filter(pc::step.eq(step.as_str()))
        .filter(pc::status.eq(ChangeStatus::Published.as_str()))
        .select(ChangeRow::as_select())
        .load(conn)?;
    with_departments(conn, rows)
}
