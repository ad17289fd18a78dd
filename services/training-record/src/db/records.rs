//! What people did (attended sessions, progress on materials), each read in one statement:
//! one person's is the only part of a catch-up plan read for every request; everyone's on a
//! project is read once when a change reaches a whole audience.

use std::collections::HashMap;

use continuity_contract::{EmployeeId, ProjectId};
use continuity_shared::db::{CorruptRow, DbConnection, DbResult};
use continuity_shared::with_backend;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Double};

use super::schema::{
    attendance as at, material_progress as mp, materials as m, training_sessions as ts,
};
use crate::domain::curriculum::PersonRecord;
use crate::domain::ids::{MaterialId, SessionId};

/// One row of the union: (attendance?, session or material id, watched seconds, done).
pub(super) type RecordRow = (bool, String, f64, bool);

/// The sessions `employee` attended and their progress on materials, on every project: a
/// plan looks up only its own curriculum's sessions and materials (ids are unique across
/// projects), so the project need not be joined in. Read through the two by-employee
/// indexes alone, this is most of what a catch-up read costs: joining each row to its
/// material and session to test the project took four more index lookups per row, and
/// 40% of the CPU of `bench-training`'s catch-up reads.
pub fn of_person(conn: &mut DbConnection, employee: &EmployeeId) -> DbResult<PersonRecord> {
    let rows: Vec<RecordRow> = with_backend!(conn, |c| {
        let attended = at::table
            .filter(at::employee_id.eq(employee.as_str()))
            .filter(at::attended.eq(true))
            .select((
                true.into_sql::<Bool>(),
                at::session_id,
                0.0.into_sql::<Double>(),
                at::attended,
            ));
        let used = mp::table
            .filter(mp::employee_id.eq(employee.as_str()))
            .select((
                false.into_sql::<Bool>(),
                mp::material_id,
                mp::watched_seconds,
                mp::done,
            ));
        attended.union_all(used).load(c)
    })?;
    to_record(rows)
}

/// [`of_person`] of everyone with attendance or progress on `project`.
pub fn of_project(
    conn: &mut DbConnection,
    project: &ProjectId,
) -> DbResult<HashMap<EmployeeId, PersonRecord>> {
    let project = project.to_string();
    let rows: Vec<(String, bool, String, f64, bool)> = with_backend!(conn, |c| {
        let attended = at::table
            .inner_join(ts::table)
            .filter(ts::project_id.eq(&project))
            .filter(at::attended.eq(true))
            .select((
                at::employee_id,
                true.into_sql::<Bool>(),
                at::session_id,
                0.0.into_sql::<Double>(),
                at::attended,
            ));
        let used = mp::table
            .inner_join(m::table.inner_join(ts::table))
            .filter(ts::project_id.eq(&project))
            .select((
                mp::employee_id,
                false.into_sql::<Bool>(),
                mp::material_id,
                mp::watched_seconds,
                mp::done,
            ));
        attended.union_all(used).load(c)
    })?;
    let mut by_person: HashMap<String, Vec<RecordRow>> = HashMap::new();
    for (employee, attendance, id, seconds, done) in rows {
        by_person
            .entry(employee)
            .or_default()
            .push((attendance, id, seconds, done));
    }
    by_person
        .into_iter()
        .map(|(e, rows)| {
            let id = EmployeeId::parse(&e)
                .map_err(|_| CorruptRow::new("material_progress", &e, "employee_id"))?;
            Ok((id, to_record(rows)?))
        })
        .collect()
}

pub(super) fn to_record(rows: Vec<RecordRow>) -> DbResult<PersonRecord> {
    let mut record = PersonRecord::default();
    for row in rows {
        add_to(&mut record, row)?;
    }
    Ok(record)
}

/// Adds one row of the union to `record`.
pub(super) fn add_to(
    record: &mut PersonRecord,
    (attendance, id, seconds, done): RecordRow,
) -> DbResult<()> {
    if attendance {
        let s =
            SessionId::parse(&id).map_err(|_| CorruptRow::new("attendance", &id, "session_id"))?;
        record.attended.insert(s);
    } else {
        let m = MaterialId::parse(&id)
            .map_err(|_| CorruptRow::new("material_progress", &id, "material_id"))?;
        record.used.insert(m, (seconds, done));
    }
    Ok(())
}
