//! Project rows and queries.

use chrono::{NaiveDate, NaiveDateTime};
use continuity_contract::{Name, ProjectId, ProjectStatus};
use continuity_shared::clock;
use continuity_shared::db::{CorruptRow, DbConnection, DbResult};
use continuity_shared::pagination::PageRequest;
use diesel::prelude::*;

use super::schema::projects;
use crate::domain::Versioned;
use crate::domain::project::Project;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = projects, treat_none_as_null = true)]
pub struct ProjectRow {
    pub project_id: String,
    pub name: String,
    pub status: String,
    pub planned_start: Option<NaiveDate>,
    pub planned_go_live: Option<NaiveDate>,
    pub stabilization_months: i32,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ProjectRow {
    pub fn new(p: &Versioned<Project>) -> Self {
        let v = &p.value;
        Self {
            project_id: v.project_id.to_string(),
            name: v.name.to_string(),
            status: v.status.as_str().to_owned(),
            planned_start: v.planned_start,
            planned_go_live: v.planned_go_live,
            stabilization_months: v.stabilization_months as i32,
            version: p.version,
            created_at: p.created_at.naive_utc(),
            updated_at: p.updated_at.naive_utc(),
        }
    }
}

impl TryFrom<ProjectRow> for Versioned<Project> {
    type Error = CorruptRow;

    fn try_from(r: ProjectRow) -> Result<Self, CorruptRow> {
        let bad = |column| CorruptRow::new("projects", &r.project_id, column);
        Ok(Versioned {
            value: Project {
                project_id: ProjectId::parse(&r.project_id).map_err(|_| bad("project_id"))?,
                name: Name::parse(&r.name).map_err(|_| bad("name"))?,
                status: ProjectStatus::parse(&r.status).ok_or_else(|| bad("status"))?,
                planned_start: r.planned_start,
                planned_go_live: r.planned_go_live,
                stabilization_months: u32::try_from(r.stabilization_months)
                    .map_err(|_| bad("stabilization_months"))?,
            },
            version: r.version,
            created_at: clock::utc(r.created_at),
            updated_at: clock::utc(r.updated_at),
        })
    }
}

pub fn find(conn: &mut DbConnection, id: &ProjectId) -> DbResult<Option<Versioned<Project>>> {
    let row = projects::table
        .find(id.to_string())
        .select(ProjectRow::as_select())
        .get_result(conn)
        .optional()?;
    Ok(row.map(Versioned::try_from).transpose()?)
}

pub fn insert(conn: &mut DbConnection, p: &Versioned<Project>) -> DbResult<()> {
    diesel::insert_into(projects::table)
        .values(ProjectRow::new(p))
        .execute(conn)?;
    Ok(())
}

/// False when another transaction changed the project meanwhile.
pub fn update(conn: &mut DbConnection, p: &Versioned<Project>) -> DbResult<bool> {
    let row = ProjectRow::new(p);
    super::applied(
        diesel::update(
            projects::table
                .find(&row.project_id)
                .filter(projects::version.eq(row.version - 1)),
        )
        .set(&row)
        .execute(conn),
    )
}

pub fn list(
    conn: &mut DbConnection,
    status: Option<ProjectStatus>,
    page: &PageRequest,
) -> DbResult<Vec<Versioned<Project>>> {
    let mut query = projects::table
        .select(ProjectRow::as_select())
        .order(projects::project_id.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(projects::project_id.gt(after.clone()));
    }
    if let Some(status) = status {
        query = query.filter(projects::status.eq(status.as_str()));
    }
    to_domain(query.load(conn)?)
}

/// Every project that is not closed (coverage is kept for these).
pub fn active(conn: &mut DbConnection) -> DbResult<Vec<Versioned<Project>>> {
    to_domain(
        projects::table
            .filter(projects::status.ne(ProjectStatus::Closed.as_str()))
            .order(projects::project_id.asc())
            .select(ProjectRow::as_select())
            .load(conn)?,
    )
}

/// Every project, by id (a snapshot for a subscriber).
pub fn all(conn: &mut DbConnection) -> DbResult<Vec<Versioned<Project>>> {
    to_domain(
        projects::table
            .order(projects::project_id.asc())
            .select(ProjectRow::as_select())
            .load(conn)?,
    )
}

fn to_domain(rows: Vec<ProjectRow>) -> DbResult<Vec<Versioned<Project>>> {
    Ok(rows
        .into_iter()
        .map(Versioned::try_from)
        .collect::<Result<_, _>>()?)
}
