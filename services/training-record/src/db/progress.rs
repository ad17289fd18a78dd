//! What each person has watched or read of each material.

use chrono::NaiveDateTime;
use continuity_contract::{EmployeeId, ProjectId};
use continuity_shared::db::{CorruptRow, DbConnection, DbResult, Statement};
use continuity_shared::with_backend;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Double, Nullable, Text, Timestamp};

use super::schema::{material_progress as mp, materials as m, training_sessions as ts};
use crate::domain::ids::MaterialId;
use crate::domain::material::MaterialKind;
use crate::domain::progress::{Interval, Watched};

/// One person's progress on one material.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub watched: Watched,
    pub position_seconds: Option<f64>,
    pub done: bool,
    pub updated_at: NaiveDateTime,
}

/// What a report reads before it writes: the material, its session and the person's
/// progress on it.
#[derive(Debug, Clone)]
pub struct ForReport {
    pub kind: MaterialKind,
    /// The recording's length as recorded, if it was.
    pub material_seconds: Option<u32>,
    pub session_minutes: u32,
    pub project: ProjectId,
    pub progress: Option<Stored>,
}

/// Progress as read, with its intervals exactly as stored: what [`put_if_unchanged`]
/// compares to know that nobody wrote in between.
#[derive(Debug, Clone)]
pub struct Stored {
    pub progress: Progress,
    intervals: String,
}

type ForReportRow = (
    String,
    Option<i32>,
    i32,
    String,
    Option<String>,
    Option<f64>,
    Option<bool>,
    Option<NaiveDateTime>,
);

/// The material `material` with its session and `employee`'s progress, in one statement
/// (three before: on PostgreSQL each was a round trip); `None` for an unknown material.
pub fn for_report(
    conn: &mut DbConnection,
    material: &MaterialId,
    employee: &EmployeeId,
) -> DbResult<Option<ForReport>> {
    let key = format!("{material}/{employee}");
    let id = material.to_string();
    let row: Option<ForReportRow> = with_backend!(conn, |c| m::table
        .inner_join(ts::table)
        .left_join(
            mp::table.on(mp::material_id
                .eq(m::material_id)
                .and(mp::employee_id.eq(employee.as_str()))),
        )
        .filter(m::material_id.eq(&id))
        .select((
            m::kind,
            m::duration_seconds,
            ts::duration_minutes,
            ts::project_id,
            mp::intervals.nullable(),
            mp::position_seconds.nullable(),
            mp::done.nullable(),
            mp::updated_at.nullable(),
        ))
        .get_result(c)
        .optional())?;
    let Some((kind, material_seconds, minutes, project, intervals, position, done, updated)) = row
    else {
        return Ok(None);
    };
    let bad_material = |c| CorruptRow::new("materials", &id, c);
    let progress = match (intervals, done, updated) {
        (Some(text), Some(done), Some(updated_at)) => {
            let list: Vec<Interval> = serde_json::from_str(&text)
                .map_err(|_| CorruptRow::new("material_progress", &key, "intervals"))?;
            Some(Stored {
                progress: Progress {
                    watched: Watched::from_stored(list),
                    position_seconds: position,
                    done,
                    updated_at,
                },
                intervals: text,
            })
        }
        _ => None,
    };
    Ok(Some(ForReport {
        kind: MaterialKind::parse(&kind).ok_or_else(|| bad_material("kind"))?,
        material_seconds: material_seconds
            .map(u32::try_from)
            .transpose()
            .map_err(|_| bad_material("duration_seconds"))?,
        session_minutes: u32::try_from(minutes)
            .map_err(|_| CorruptRow::new("training_sessions", &project, "duration_minutes"))?,
        project: ProjectId::parse(&project)
            .map_err(|_| CorruptRow::new("training_sessions", &project, "project_id"))?,
        progress,
    }))
}

/// Writes `p` as `employee`'s progress on `material` unless it changed since `before` was
/// read (a compare-and-set): false when another report wrote in between, and nothing was
/// written. One statement, so it needs no transaction to be safe.
pub fn put_if_unchanged(
    conn: &mut DbConnection,
    material: &MaterialId,
    employee: &EmployeeId,
    before: Option<&Stored>,
    p: &Progress,
) -> DbResult<bool> {
    let intervals = serde_json::to_string(p.watched.intervals()).unwrap_or_else(|_| "[]".into());
    let id = material.to_string();
    let values = (
        mp::intervals.eq(&intervals),
        mp::watched_seconds.eq(p.watched.seconds()),
        mp::position_seconds.eq(p.position_seconds),
        mp::done.eq(p.done),
        mp::updated_at.eq(p.updated_at),
    );
    let written = match before {
        None => with_backend!(&mut *conn, |c| diesel::insert_into(mp::table)
            .values((
                mp::material_id.eq(&id),
                mp::employee_id.eq(employee.as_str()),
                values,
            ))
            .on_conflict_do_nothing()
            .execute(c))?,
        // Hand-written so that it is prepared once per connection: diesel prepares an
        // UPDATE again at every execution.
        Some(old) => with_backend!(&mut *conn, |c| Statement::new(
            "UPDATE material_progress SET intervals = "
        )
        .bind::<Text, _>(&intervals)
        .sql(", watched_seconds = ")
        .bind::<Double, _>(p.watched.seconds())
        .sql(", position_seconds = ")
        .bind::<Nullable<Double>, _>(p.position_seconds)
        .sql(", done = ")
        .bind::<Bool, _>(p.done)
        .sql(", updated_at = ")
        .bind::<Timestamp, _>(p.updated_at)
        .sql(" WHERE material_id = ")
        .bind::<Text, _>(&id)
        .sql(" AND employee_id = ")
        .bind::<Text, _>(employee.as_str())
        .sql(" AND intervals = ")
        .bind::<Text, _>(&old.intervals)
        .sql(" AND done = ")
        .bind::<Bool, _>(old.progress.done)
        .sql(" AND updated_at = ")
        .bind::<Timestamp, _>(old.progress.updated_at)
        .execute(c))?,
    };
    Ok(written == 1)
}

/// Locks `employee`'s progress row on `material` until the transaction ends, so a report
/// that keeps being overtaken cannot be again (PostgreSQL; SQLite's single writer already
/// excludes every other).
pub fn lock(conn: &mut DbConnection, material: &MaterialId, employee: &EmployeeId) -> DbResult<()> {
    if let DbConnection::Pg(c) = conn {
        mp::table
            .find((material.to_string(), employee.as_str()))
            .select(mp::done)
            .for_update()
            .get_result::<bool>(c)
            .optional()?;
    }
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
