//! What each person has watched or read of each material.

use chrono::NaiveDateTime;
use continuity_contract::EmployeeId;
use continuity_shared::db::{CorruptRow, DbConnection, DbResult};
use continuity_shared::with_backend;
use diesel::prelude::*;

use super::schema::material_progress as mp;
use crate::domain::ids::MaterialId;
use crate::domain::progress::{Interval, Watched};

/// One person's progress on one material.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub watched: Watched,
    pub position_seconds: Option<f64>,
    pub done: bool,
    pub updated_at: NaiveDateTime,
}

pub fn find(
    conn: &mut DbConnection,
    material: &MaterialId,
    employee: &EmployeeId,
) -> DbResult<Option<Progress>> {
    let key = format!("{material}/{employee}");
    let row: Option<(String, Option<f64>, bool, NaiveDateTime)> = mp::table
        .find((material.to_string(), employee.as_str()))
        .select((
            mp::intervals,
            mp::position_seconds,
            mp::done,
            mp::updated_at,
        ))
        .get_result(conn)
        .optional()?;
    let Some((intervals, position_seconds, done, updated_at)) = row else {
        return Ok(None);
    };
    let intervals: Vec<Interval> = serde_json::from_str(&intervals)
        .map_err(|_| CorruptRow::new("material_progress", &key, "intervals"))?;
    Ok(Some(Progress {
        watched: Watched::from_stored(intervals),
        position_seconds,
        done,
        updated_at,
    }))
}

pub fn put(
    conn: &mut DbConnection,
    material: &MaterialId,
    employee: &EmployeeId,
    p: &Progress,
) -> DbResult<()> {
    let intervals = serde_json::to_string(p.watched.intervals()).unwrap_or_else(|_| "[]".into());
    let values = (
        mp::intervals.eq(&intervals),
        mp::watched_seconds.eq(p.watched.seconds()),
        mp::position_seconds.eq(p.position_seconds),
        mp::done.eq(p.done),
        mp::updated_at.eq(p.updated_at),
    );
    with_backend!(&mut *conn, |c| diesel::insert_into(mp::table)
        .values((
            mp::material_id.eq(material.to_string()),
            mp::employee_id.eq(employee.as_str()),
            values,
        ))
        .on_conflict((mp::material_id, mp::employee_id))
        .do_update()
        .set(values)
        .execute(c))?;
    Ok(())
}

/// (material, employee, watched seconds, done) for every person with progress on one of
/// `materials`.
pub fn of_materials(
    conn: &mut DbConnection,
    materials: &[String],
) -> DbResult<Vec<(String, String, f64, bool)>> {
    Ok(mp::table
        .filter(mp::material_id.eq_any(materials))
        .select((
            mp::material_id,
            mp::employee_id,
            mp::watched_seconds,
            mp::done,
        ))
        .load(conn)?)
}
