//! Department rows and queries.

use chrono::NaiveDateTime;
use continuity_shared::ApiResult;
use continuity_shared::db::DbConnection;
use continuity_shared::ids::DepartmentCode;
use continuity_shared::pagination::PageRequest;
use diesel::prelude::*;

use super::schema::departments;
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
    pub fn to_domain(&self) -> Option<Department> {
        Some(Department {
            code: DepartmentCode::parse(&self.code).ok()?,
            name: self.name.clone(),
            key: self.is_key,
            min_project_members: self.min_project_members,
        })
    }
}

pub fn find(conn: &mut DbConnection, code: &str) -> ApiResult<Option<DepartmentRow>> {
    Ok(departments::table
        .find(code)
        .select(DepartmentRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn insert(conn: &mut DbConnection, row: &DepartmentRow) -> ApiResult<()> {
    diesel::insert_into(departments::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn update(conn: &mut DbConnection, row: &DepartmentRow) -> ApiResult<()> {
    diesel::update(departments::table.find(&row.code))
        .set(row)
        .execute(conn)?;
    Ok(())
}

pub fn list(conn: &mut DbConnection, page: &PageRequest) -> ApiResult<Vec<DepartmentRow>> {
    let mut query = departments::table
        .select(DepartmentRow::as_select())
        .order(departments::code.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(departments::code.gt(after.clone()));
    }
    Ok(query.load(conn)?)
}

/// Which of `codes` exist.
pub fn existing_codes(conn: &mut DbConnection, codes: &[String]) -> ApiResult<Vec<String>> {
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
