//! The attrition history's rows: written in multi-row batches, read whole for the
//! statistics (one small row per spell).

use chrono::{NaiveDate, NaiveDateTime};
use continuity_contract::{DepartmentCode, EmployeeId};
use continuity_shared::db::{CorruptRow, DbConnection, DbResult};
use continuity_shared::with_backend;
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::bind::{BoundDate, SameInstant, sqlite_timestamp};
use super::schema::attrition_spells as s;
use crate::domain::spell::Spell;

/// Rows per INSERT: 5 parameters each keeps a statement far under SQLite's limit.
const BATCH: usize = 1_000;

diesel::define_sql_function! {
    /// The first of two dates that is not null.
    fn coalesce(x: diesel::sql_types::Nullable<diesel::sql_types::Date>, y: diesel::sql_types::Nullable<diesel::sql_types::Date>) -> diesel::sql_types::Nullable<diesel::sql_types::Date>;
}

#[derive(Debug, Insertable)]
#[diesel(table_name = s, treat_none_as_default_value = false)]
struct NewSpellRow<'a> {
    employee_id: &'a str,
    hire_date: BoundDate,
    department_code: &'a str,
    leave_date: Option<BoundDate>,
    updated_at: SameInstant<'a>,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = s)]
pub struct SpellRow {
    employee_id: String,
    hire_date: NaiveDate,
    department_code: String,
    leave_date: Option<NaiveDate>,
}

impl TryFrom<SpellRow> for Spell {
    type Error = CorruptRow;
    fn try_from(r: SpellRow) -> Result<Self, CorruptRow> {
        let key = format!("{}/{}", r.employee_id, r.hire_date);
        let bad = |c| CorruptRow::new("attrition_spells", &key, c);
        Ok(Self {
            employee_id: EmployeeId::parse(&r.employee_id).map_err(|_| bad("employee_id"))?,
            department: DepartmentCode::parse(&r.department_code)
                .map_err(|_| bad("department_code"))?,
            hire_date: r.hire_date,
            leave_date: r.leave_date,
        })
    }
}

/// Adds the spells, or updates the one with the same (employee, hire date): its department
/// becomes the given one, and a leave date once known is kept when the new row has none.
/// Returns how many spells there were before and after.
pub fn upsert(
    conn: &mut DbConnection,
    spells: &[Spell],
    at: NaiveDateTime,
) -> DbResult<(i64, i64)> {
    let before = count(conn)?;
    let stamp = sqlite_timestamp(at);
    for chunk in spells.chunks(BATCH) {
        let rows: Vec<NewSpellRow> = chunk
            .iter()
            .map(|x| NewSpellRow {
                employee_id: x.employee_id.as_str(),
                hire_date: BoundDate(x.hire_date),
                department_code: x.department.as_str(),
                leave_date: x.leave_date.map(BoundDate),
                updated_at: SameInstant {
                    at,
                    sqlite_text: &stamp,
                },
            })
            .collect();
        with_backend!(&mut *conn, |c| diesel::insert_into(s::table)
            .values(&rows)
            .on_conflict((s::employee_id, s::hire_date))
            .do_update()
            .set((
                s::department_code.eq(excluded(s::department_code)),
                s::leave_date.eq(coalesce(excluded(s::leave_date), s::leave_date)),
                s::updated_at.eq(excluded(s::updated_at)),
            ))
            .execute(c))?;
    }
    Ok((before, count(conn)?))
}

/// The roster's word on one spell: its department and leave date become the given ones
/// (a rescinded resignation clears the leave date).
pub fn put_live(conn: &mut DbConnection, spell: &Spell, at: NaiveDateTime) -> DbResult<()> {
    let stamp = sqlite_timestamp(at);
    let row = NewSpellRow {
        employee_id: spell.employee_id.as_str(),
        hire_date: BoundDate(spell.hire_date),
        department_code: spell.department.as_str(),
        leave_date: spell.leave_date.map(BoundDate),
        updated_at: SameInstant {
            at,
            sqlite_text: &stamp,
        },
    };
    with_backend!(&mut *conn, |c| diesel::insert_into(s::table)
        .values(&row)
        .on_conflict((s::employee_id, s::hire_date))
        .do_update()
        .set((
            s::department_code.eq(excluded(s::department_code)),
            s::leave_date.eq(excluded(s::leave_date)),
            s::updated_at.eq(excluded(s::updated_at)),
        ))
        .execute(c))?;
    Ok(())
}

pub fn count(conn: &mut DbConnection) -> DbResult<i64> {
    Ok(s::table.count().get_result(conn)?)
}

/// Every spell, or those of one department, that overlaps `[from, to]` or has an event in it.
pub fn load(
    conn: &mut DbConnection,
    department: Option<&DepartmentCode>,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<Spell>> {
    let mut q = s::table
        .filter(s::hire_date.le(to))
        .filter(s::leave_date.is_null().or(s::leave_date.ge(from)))
        .select(SpellRow::as_select())
        .into_boxed();
    if let Some(d) = department {
        q = q.filter(s::department_code.eq(d.as_str().to_owned()));
    }
    let rows: Vec<SpellRow> = q.load(conn)?;
    rows.into_iter()
        .map(|r| Spell::try_from(r).map_err(Into::into))
        .collect()
}

/// The earliest hire date on record, if any.
pub fn first_date(conn: &mut DbConnection) -> DbResult<Option<NaiveDate>> {
    Ok(s::table
        .select(diesel::dsl::min(s::hire_date))
        .get_result(conn)?)
}
