//! Department rows and queries.

use chrono::NaiveDateTime;
use continuity_contract::{DepartmentCode, Name};
use continuity_shared::clock;
use continuity_shared::db::{CorruptRow, DbConnection, DbResult};
use continuity_shared::pagination::PageRequest;
use continuity_shared::with_backend;
use diesel::prelude::*;

use super::schema::departments;
use crate::domain::Versioned;
use crate::domain::department::Department;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = departments)]
pub struct DepartmentRow {
    pub code: String,
    pub name: String,
    pub is_key: bool,
    pub min_project_members: i32,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl DepartmentRow {
    pub fn new(
        d: &Department,
        version: i64,
        created_at: NaiveDateTime,
        now: NaiveDateTime,
    ) -> Self {
        Self {
            code: d.code.to_string(),
            name: d.name.to_string(),
            is_key: d.key,
            min_project_members: i32::try_from(d.min_project_members).unwrap_or(i32::MAX),
            version,
            created_at,
            updated_at: now,
        }
    }
}

impl TryFrom<DepartmentRow> for Versioned<Department> {
    type Error = CorruptRow;

    fn try_from(r: DepartmentRow) -> Result<Self, CorruptRow> {
        let bad = |column| CorruptRow::new("departments", &r.code, column);
        Ok(Versioned {
            value: Department {
                code: DepartmentCode::parse(&r.code).map_err(|_| bad("code"))?,
                name: Name::parse(&r.name).map_err(|_| bad("name"))?,
                key: r.is_key,
                min_project_members: u32::try_from(r.min_project_members)
                    .map_err(|_| bad("min_project_members"))?,
            },
            version: r.version,
            created_at: clock::utc(r.created_at),
            updated_at: clock::utc(r.updated_at),
        })
    }
}

fn to_domain(rows: Vec<DepartmentRow>) -> DbResult<Vec<Versioned<Department>>> {
    Ok(rows
        .into_iter()
        .map(Versioned::try_from)
        .collect::<Result<_, _>>()?)
}

pub fn find(conn: &mut DbConnection, code: &str) -> DbResult<Option<Versioned<Department>>> {
    let row = departments::table
        .find(code)
        .select(DepartmentRow::as_select())
        .get_result(conn)
        .optional()?;
    Ok(row.map(Versioned::try_from).transpose()?)
}

/// False when the department was inserted concurrently.
pub fn insert(conn: &mut DbConnection, row: &DepartmentRow) -> DbResult<bool> {
    super::applied(
        diesel::insert_into(departments::table)
            .values(row)
            .execute(conn),
    )
}

/// Inserts unless the code exists (a seed that another replica may be writing at the same
/// moment); false when it did exist.
pub fn insert_if_absent(conn: &mut DbConnection, row: &DepartmentRow) -> DbResult<bool> {
    let n = with_backend!(conn, |c| diesel::insert_into(departments::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(n == 1)
}

/// False when another transaction changed the department meanwhile.
pub fn update(conn: &mut DbConnection, row: &DepartmentRow) -> DbResult<bool> {
    super::applied(
        diesel::update(
            departments::table
                .find(&row.code)
                .filter(departments::version.eq(row.version - 1)),
        )
        .set(row)
        .execute(conn),
    )
}

pub fn list(conn: &mut DbConnection, page: &PageRequest) -> DbResult<Vec<Versioned<Department>>> {
    let mut query = departments::table
        .select(DepartmentRow::as_select())
        .order(departments::code.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(departments::code.gt(after.clone()));
    }
    to_domain(query.load(conn)?)
}

/// Every department, by code (a snapshot for a subscriber).
pub fn all(conn: &mut DbConnection) -> DbResult<Vec<Versioned<Department>>> {
    to_domain(
        departments::table
            .order(departments::code.asc())
            .select(DepartmentRow::as_select())
            .load(conn)?,
    )
}

/// Which of `codes` exist.
pub fn existing_codes(conn: &mut DbConnection, codes: &[String]) -> DbResult<Vec<String>> {
    let mut found = Vec::new();
    for chunk in codes.chunks(500) {
        found.extend(
            departments::table
                .filter(departments::code.eq_any(chunk))
                .select(departments::code)
                .load::<String>(conn)?,
        );
    }
    Ok(found)
}
