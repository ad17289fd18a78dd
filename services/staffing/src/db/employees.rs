//! Employee rows and queries.

use chrono::{NaiveDate, NaiveDateTime};
use continuity_shared::ApiResult;
use continuity_shared::db::DbConnection;
use continuity_shared::ids::{DepartmentCode, EmployeeId};
use continuity_shared::pagination::PageRequest;
use continuity_shared::with_backend;
use diesel::prelude::*;

use super::schema::employees;
use crate::domain::employee::{Employee, EmployeeStatus};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = employees, treat_none_as_null = true)]
pub struct EmployeeRow {
    pub employee_id: String,
    pub name: String,
    pub department_code: String,
    pub hire_date: NaiveDate,
    pub status: String,
    pub last_working_day: Option<NaiveDate>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl EmployeeRow {
    pub fn new(e: &Employee, version: i64, created_at: NaiveDateTime, now: NaiveDateTime) -> Self {
        Self {
            employee_id: e.employee_id.to_string(),
            name: e.name.clone(),
            department_code: e.department_code.to_string(),
            hire_date: e.hire_date,
            status: e.status.as_str().to_owned(),
            last_working_day: e.last_working_day,
            version,
            created_at,
            updated_at: now,
        }
    }

    /// The row as a domain value; rows are written only from valid values.
    pub fn to_domain(&self) -> Option<Employee> {
        Some(Employee {
            employee_id: EmployeeId::parse(&self.employee_id).ok()?,
            name: self.name.clone(),
            department_code: DepartmentCode::parse(&self.department_code).ok()?,
            hire_date: self.hire_date,
            status: EmployeeStatus::parse(&self.status)?,
            last_working_day: self.last_working_day,
        })
    }
}

/// Filters of the employee list.
#[derive(Debug, Default, Clone)]
pub struct EmployeeFilter {
    pub department: Option<String>,
    pub status: Option<EmployeeStatus>,
}

pub fn find(conn: &mut DbConnection, id: &str) -> ApiResult<Option<EmployeeRow>> {
    Ok(employees::table
        .find(id)
        .select(EmployeeRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn find_many(conn: &mut DbConnection, ids: &[String]) -> ApiResult<Vec<EmployeeRow>> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        found.extend(
            employees::table
                .filter(employees::employee_id.eq_any(chunk))
                .select(EmployeeRow::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}

pub fn insert(conn: &mut DbConnection, row: &EmployeeRow) -> ApiResult<()> {
    diesel::insert_into(employees::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Many rows in few statements: one multi-row INSERT per chunk.
pub fn insert_many(conn: &mut DbConnection, rows: &[EmployeeRow]) -> ApiResult<()> {
    // Both backends cap bound parameters per statement; 9 columns x 500 rows stays under.
    for chunk in rows.chunks(500) {
        with_backend!(conn, |c| diesel::insert_into(employees::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

pub fn update(conn: &mut DbConnection, row: &EmployeeRow) -> ApiResult<()> {
    diesel::update(employees::table.find(&row.employee_id))
        .set(row)
        .execute(conn)?;
    Ok(())
}

pub fn list(
    conn: &mut DbConnection,
    filter: &EmployeeFilter,
    page: &PageRequest,
) -> ApiResult<Vec<EmployeeRow>> {
    let mut query = employees::table
        .select(EmployeeRow::as_select())
        .order(employees::employee_id.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(employees::employee_id.gt(after.clone()));
    }
    if let Some(dept) = &filter.department {
        query = query.filter(employees::department_code.eq(dept.clone()));
    }
    if let Some(status) = filter.status {
        query = query.filter(employees::status.eq(status.as_str()));
    }
    Ok(query.load(conn)?)
}
