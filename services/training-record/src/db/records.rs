//! What one person did on a project (attended sessions, progress on materials), read in
//! one statement: it is the only part of a catch-up plan read for every request.

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
type RecordRow = (bool, String, f64, bool);

/// The sessions of `project` that `employee` attended and their progress on its materials.
pub fn of_person(
    conn: &mut DbConnection,
    employee: &EmployeeId,
    project: &ProjectId,
) -> DbResult<PersonRecord> {
    let project = project.to_string();
    let rows: Vec<RecordRow> = with_backend!(conn, |c| {
        let attended = at::table
            .inner_join(ts::table)
            .filter(ts::project_id.eq(&project))
            .filter(at::employee_id.eq(employee.as_str()))
            .filter(at::attended.eq(true))
            .select((
                true.into_sql::<Bool>(),
                at::session_id,
                0.0.into_sql::<Double>(),
                at::attended,
            ));
        let used = mp::table
            .inner_join(m::table.inner_join(ts::table))
            .filter(ts::project_id.eq(&project))
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

fn to_record(rows: Vec<RecordRow>) -> DbResult<PersonRecord> {
    let mut record = PersonRecord::default();
    for (attendance, id, seconds, done) in rows {
        if attendance {
            let s = SessionId::parse(&id)
                .map_err(|_| CorruptRow::new("attendance", &id, "session_id"))?;
            record.attended.insert(s);
        } else {
            let m = MaterialId::parse(&id)
                .map_err(|_| CorruptRow::new("material_progress", &id, "material_id"))?;
            record.used.insert(m, (seconds, done));
        }
    }
    Ok(record)
}
