//! Employee rows and queries.

use chrono::{NaiveDate, NaiveDateTime};
use continuity_contract::{DepartmentCode, EmployeeId, EmployeeStatus, Name};
use continuity_shared::clock;
use continuity_shared::db::{CorruptRow, DbConnection, DbResult, PgStatement, Statement};
use continuity_shared::events::outbox::Cte;
use continuity_shared::pagination::PageRequest;
use continuity_shared::with_backend;
use diesel::backend::Backend;
use diesel::prelude::*;
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Date, HasSqlType, Nullable, Text, Timestamp};

use super::schema::employees;
use crate::domain::Versioned;
use crate::domain::employee::Employee;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
// `treat_none_as_default_value = false`: plain values, so that `insert_many` is one
// multi-row INSERT on SQLite too (with defaultable values diesel inserts row by row, each
// in a savepoint).
#[diesel(
    table_name = employees,
    treat_none_as_default_value = false
)]
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
            name: e.name.to_string(),
            department_code: e.department_code.to_string(),
            hire_date: e.hire_date,
            status: e.status.as_str().to_owned(),
            last_working_day: e.last_working_day,
            version,
            created_at,
            updated_at: now,
        }
    }
}

impl TryFrom<EmployeeRow> for Versioned<Employee> {
    type Error = CorruptRow;

    /// A row written by an older version or by hand may not parse: that is an error, never
    /// an `active` by default.
    fn try_from(r: EmployeeRow) -> Result<Self, CorruptRow> {
        let bad = |column| CorruptRow::new("employees", &r.employee_id, column);
        Ok(Versioned {
            value: Employee {
                employee_id: EmployeeId::parse(&r.employee_id).map_err(|_| bad("employee_id"))?,
                name: Name::parse(&r.name).map_err(|_| bad("name"))?,
                department_code: DepartmentCode::parse(&r.department_code)
                    .map_err(|_| bad("department_code"))?,
                hire_date: r.hire_date,
                status: EmployeeStatus::parse(&r.status).ok_or_else(|| bad("status"))?,
                last_working_day: r.last_working_day,
            },
            version: r.version,
            created_at: clock::utc(r.created_at),
            updated_at: clock::utc(r.updated_at),
        })
    }
}

fn to_domain(rows: Vec<EmployeeRow>) -> DbResult<Vec<Versioned<Employee>>> {
    Ok(rows
        .into_iter()
        .map(Versioned::try_from)
        .collect::<Result<_, _>>()?)
}

/// Filters of the employee list.
#[derive(Debug, Default, Clone)]
pub struct EmployeeFilter {
    pub department: Option<DepartmentCode>,
    pub status: Option<EmployeeStatus>,
}

pub fn find(conn: &mut DbConnection, id: &str) -> DbResult<Option<Versioned<Employee>>> {
    let row = employees::table
        .find(id)
        .select(EmployeeRow::as_select())
        .get_result(conn)
        .optional()?;
    Ok(row.map(Versioned::try_from).transpose()?)
}

/// The employee `id` (`Some(None)` when there is none) if department `code` exists, in
/// one query; `None` when the department does not exist.
pub fn find_in_department(
    conn: &mut DbConnection,
    id: &str,
    code: &str,
) -> DbResult<Option<Option<Versioned<Employee>>>> {
    use super::schema::departments;
    // On the backend's own connection: through the `MultiConnection` diesel rebuilds the
    // SQL text at every execution, and every write of an employee runs this.
    let row: Option<Option<EmployeeRow>> = with_backend!(conn, |c| departments::table
        .left_join(employees::table.on(employees::employee_id.eq(id)))
        .filter(departments::code.eq(code))
        .select(Option::<EmployeeRow>::as_select())
        .get_result(c)
        .optional())?;
    Ok(row
        .map(|employee| employee.map(Versioned::try_from).transpose())
        .transpose()?)
}

pub fn find_many(conn: &mut DbConnection, ids: &[String]) -> DbResult<Vec<Versioned<Employee>>> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        found.extend(to_domain(
            employees::table
                .filter(employees::employee_id.eq_any(chunk))
                .select(EmployeeRow::as_select())
                .load(conn)?,
        )?);
    }
    Ok(found)
}

/// Locks the employee's row until the end of the transaction (PostgreSQL; SQLite's single
/// writer has no concurrent transaction to lock against). Nothing when there is no row.
pub fn lock(conn: &mut DbConnection, id: &str) -> DbResult<()> {
    if let DbConnection::Pg(c) = conn {
        employees::table
            .find(id)
            .select(employees::employee_id)
            .for_update()
            .get_result::<String>(c)
            .optional()?;
    }
    Ok(())
}

/// Adds a new employee; false when another transaction added it meanwhile. It does not
/// fail (on PostgreSQL a failed statement would end the transaction), so the caller may
/// read again and update instead.
pub fn insert(conn: &mut DbConnection, row: &EmployeeRow) -> DbResult<bool> {
    super::applied(with_backend!(conn, |c| diesel::insert_into(
        employees::table
    )
    .values(row)
    .on_conflict_do_nothing()
    .execute(c)))
}

/// Many rows in few statements: one multi-row INSERT per chunk.
pub fn insert_many(conn: &mut DbConnection, rows: &[EmployeeRow]) -> DbResult<()> {
    // Both backends cap bound parameters per statement; 9 columns x 500 rows stays under.
    for chunk in rows.chunks(500) {
        with_backend!(conn, |c| diesel::insert_into(employees::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// Writes version `row.version` over the one before it; false when another transaction
/// changed the employee meanwhile.
pub fn update(conn: &mut DbConnection, row: &EmployeeRow) -> DbResult<bool> {
    // Hand-written so that it is prepared once per connection: diesel prepares every
    // UPDATE again at each execution (a tenth of the SQLite writer's time under `PUT`s).
    super::applied(with_backend!(conn, |c| versioned_update(
        Statement::new("UPDATE employees SET name = "),
        row
    )
    .execute(c)))
}

/// After `statement`'s `... SET name = `: every column of `row`, for the row's previous
/// version only. The same text on both backends, and inside [`write_cte`].
fn versioned_update<'a, DB>(statement: Statement<'a, DB>, row: &EmployeeRow) -> Statement<'a, DB>
where
    DB: Backend
        + HasSqlType<Text>
        + HasSqlType<Date>
        + HasSqlType<BigInt>
        + HasSqlType<Timestamp>
        + 'a,
    String: ToSql<Text, DB>,
    NaiveDate: ToSql<Date, DB>,
    Option<NaiveDate>: ToSql<Nullable<Date>, DB>,
    i64: ToSql<BigInt, DB>,
    NaiveDateTime: ToSql<Timestamp, DB>,
{
    statement
        .bind::<Text, _>(row.name.clone())
        .sql(", department_code = ")
        .bind::<Text, _>(row.department_code.clone())
        .sql(", hire_date = ")
        .bind::<Date, _>(row.hire_date)
        .sql(", status = ")
        .bind::<Text, _>(row.status.clone())
        .sql(", last_working_day = ")
        .bind::<Nullable<Date>, _>(row.last_working_day)
        .sql(", version = ")
        .bind::<BigInt, _>(row.version)
        .sql(", created_at = ")
        .bind::<Timestamp, _>(row.created_at)
        .sql(", updated_at = ")
        .bind::<Timestamp, _>(row.updated_at)
        .sql(" WHERE employee_id = ")
        .bind::<Text, _>(row.employee_id.clone())
        .sql(" AND version = ")
        .bind::<BigInt, _>(row.version - 1)
}

/// What [`insert`] (`created`) or [`update`] does, as the CTE `w` of a PostgreSQL
/// statement that publishes the change (see `audit::write_record_and_publish`): a row
/// back when it applied, nothing written unless the statement `routed`.
pub fn write_cte(row: &EmployeeRow, created: bool) -> Cte<'_> {
    Box::new(move |statement: PgStatement<'_>| {
        if created {
            statement
                .sql(
                    ", w AS (INSERT INTO employees (employee_id, name, department_code, \
                     hire_date, status, last_working_day, version, created_at, updated_at) \
                     SELECT ",
                )
                .bind::<Text, _>(row.employee_id.clone())
                .sql(", ")
                .bind::<Text, _>(row.name.clone())
                .sql(", ")
                .bind::<Text, _>(row.department_code.clone())
                .sql(", ")
                .bind::<Date, _>(row.hire_date)
                .sql(", ")
                .bind::<Text, _>(row.status.clone())
                .sql(", ")
                .bind::<Nullable<Date>, _>(row.last_working_day)
                .sql(", ")
                .bind::<BigInt, _>(row.version)
                .sql(", ")
                .bind::<Timestamp, _>(row.created_at)
                .sql(", ")
                .bind::<Timestamp, _>(row.updated_at)
                .sql(" FROM g WHERE routed ON CONFLICT DO NOTHING RETURNING 1)")
        } else {
            versioned_update(statement.sql(", w AS (UPDATE employees SET name = "), row)
                .sql(" AND (SELECT routed FROM g) RETURNING 1)")
        }
    })
}

pub fn list(
    conn: &mut DbConnection,
    filter: &EmployeeFilter,
    page: &PageRequest,
) -> DbResult<Vec<Versioned<Employee>>> {
    let mut query = employees::table
        .select(EmployeeRow::as_select())
        .order(employees::employee_id.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(employees::employee_id.gt(after.clone()));
    }
    if let Some(dept) = &filter.department {
        query = query.filter(employees::department_code.eq(dept.as_str().to_owned()));
    }
    if let Some(status) = filter.status {
        query = query.filter(employees::status.eq(status.as_str()));
    }
    to_domain(query.load(conn)?)
}

/// Every `leaving` employee whose last working day is before `day`, by id.
pub fn leaving_before(
    conn: &mut DbConnection,
    day: NaiveDate,
) -> DbResult<Vec<Versioned<Employee>>> {
    to_domain(
        employees::table
            .filter(employees::status.eq(EmployeeStatus::Leaving.as_str()))
            .filter(employees::last_working_day.lt(day))
            .order(employees::employee_id.asc())
            .select(EmployeeRow::as_select())
            .load(conn)?,
    )
}

/// Every employee, by id (a snapshot for a subscriber).
pub fn all(conn: &mut DbConnection) -> DbResult<Vec<Versioned<Employee>>> {
    to_domain(
        employees::table
            .order(employees::employee_id.asc())
            .select(EmployeeRow::as_select())
            .load(conn)?,
    )
}

/// Active employees of a department, by id: the colleagues a successor may come from.
pub fn active_in(
    conn: &mut DbConnection,
    dept: &DepartmentCode,
) -> DbResult<Vec<Versioned<Employee>>> {
    to_domain(
        employees::table
            .filter(employees::department_code.eq(dept.as_str()))
            .filter(employees::status.eq(EmployeeStatus::Active.as_str()))
            .order(employees::employee_id.asc())
            .select(EmployeeRow::as_select())
            .load(conn)?,
    )
}
