//! Watch progress and reading, per material and person.

use continuity_contract::EmployeeId;
use continuity_shared::audit::{self, AuditContext, Change};
use continuity_shared::db::{Db, DbConnection};
use continuity_shared::{ApiError, text};

use super::catchup;
use super::errors::{TrainingError, TrainingResult};
use crate::db::progress::{self as rows, Progress};
use crate::domain::catchup::recording_seconds;
use crate::domain::ids::MaterialId;
use crate::domain::material::MaterialKind;
use crate::domain::progress::{Interval, Watched};
use crate::settings::Rules;

/// The audit trail's name for a material completed by a person.
pub const ENTITY: &str = "material_progress";

/// What a player or reader reports.
#[derive(Debug, Clone)]
pub enum Report {
    Played {
        position_seconds: Option<f64>,
        played: Vec<Interval>,
    },
    Read,
}

/// A person's progress as the API shows it.
#[derive(Debug, Clone)]
pub struct ProgressView {
    pub watched_seconds: f64,
    pub duration_seconds: Option<f64>,
    pub share: f64,
    pub done: bool,
    pub position_seconds: Option<f64>,
    pub intervals: Vec<Interval>,
}

#[derive(serde::Serialize)]
struct Done {
    done: bool,
}

/// How many times a report is tried without a lock when others keep writing the same
/// person's progress on the same material in between (one person's players, seldom more).
const UNLOCKED_ATTEMPTS: usize = 3;

/// What one attempt at a report did.
enum Attempt {
    Applied(ProgressView),
    /// Another report wrote in between: nothing was written; read again.
    Overtaken,
    /// The report completes the material: that is audited and may move the person's
    /// catch-up, so it needs a transaction.
    Completes,
}

/// Adds a report to the person's progress; completing a material is audited and may move
/// the person's catch-up.
///
/// Most reports change one row and nothing else, so they are written as one statement
/// (with no transaction around it on PostgreSQL: two round trips fewer), guarded by a
/// compare-and-set against reports that write in between. A report that completes the
/// material, or one overtaken again and again, runs in a transaction that locks the row.
pub async fn report(
    db: &Db,
    material: MaterialId,
    employee: EmployeeId,
    report: Report,
    ctx: AuditContext,
    rules: Rules,
) -> TrainingResult<ProgressView> {
    for _ in 0..UNLOCKED_ATTEMPTS {
        let (employee, report, ctx) = (employee.clone(), report.clone(), ctx.clone());
        let attempt = db
            .write_statement(move |conn| {
                apply(conn, material, &employee, report, &ctx, rules, false)
            })
            .await?;
        match attempt {
            Attempt::Applied(view) => return Ok(view),
            Attempt::Overtaken => continue,
            Attempt::Completes => break,
        }
    }
    // Locked, an existing row cannot be overtaken; a first report can, once, by another
    // first report (both insert): the second try finds the row and locks it.
    for _ in 0..2 {
        let (employee, report, ctx) = (employee.clone(), report.clone(), ctx.clone());
        let attempt = db
            .write(move |conn| {
                rows::lock(conn, &material, &employee)?;
                apply(conn, material, &employee, report, &ctx, rules, true)
            })
            .await?;
        if let Attempt::Applied(view) = attempt {
            return Ok(view);
        }
    }
    Err(TrainingError::Platform(ApiError::unavailable(text!(
        "Other reports of the same progress kept arriving; send this one again.",
        "同一进度的其他上报持续到达，请重新发送本次上报。"
    ))))
}

/// Reads the person's progress, adds the report and writes it unless someone wrote in
/// between. Only `in_transaction` may complete a material (audit, catch-up).
fn apply(
    conn: &mut DbConnection,
    material: MaterialId,
    employee: &EmployeeId,
    report: Report,
    ctx: &AuditContext,
    rules: Rules,
    in_transaction: bool,
) -> TrainingResult<Attempt> {
    let read = rows::for_report(conn, &material, employee)?
        .ok_or(TrainingError::MaterialNotFound(material))?;
    let old = read.progress.as_ref().map(|s| &s.progress);
    let mut p = old.cloned().unwrap_or(Progress {
        watched: Watched::default(),
        position_seconds: None,
        done: false,
        updated_at: ctx.at.naive_utc(),
    });
    let duration = recording_seconds(read.material_seconds, read.session_minutes);
    match (report, read.kind) {
        (Report::Read, _) => p.done = true,
        (
            Report::Played {
                position_seconds,
                played,
            },
            MaterialKind::Video,
        ) => {
            p.watched.add(&played, duration);
            p.position_seconds = position_seconds.map(|x| x.clamp(0.0, duration));
            p.done = p.done || p.watched.is_complete(duration, rules.complete_percent);
        }
        (Report::Played { .. }, _) => return Err(TrainingError::WrongProgress(material)),
    }
    p.updated_at = ctx.at.naive_utc();
    let completes = p.done && !old.is_some_and(|o| o.done);
    if completes && !in_transaction {
        return Ok(Attempt::Completes);
    }
    if old != Some(&p)
        && !rows::put_if_unchanged(conn, &material, employee, read.progress.as_ref(), &p)?
    {
        return Ok(Attempt::Overtaken);
    }
    if completes {
        let id = format!("{material}/{employee}");
        audit::record(
            conn,
            ctx,
            Change::created(ENTITY, id, &Done { done: true })?,
        )?;
        catchup::refresh_in(conn, &read.project, employee, ctx)?;
    }
    let video = read.kind == MaterialKind::Video;
    Ok(Attempt::Applied(ProgressView {
        watched_seconds: p.watched.seconds(),
        duration_seconds: video.then_some(duration),
        share: if video {
            p.watched.share(duration)
        } else if p.done {
            1.0
        } else {
            0.0
        },
        done: p.done,
        position_seconds: p.position_seconds,
        intervals: p.watched.intervals().to_vec(),
    }))
}
