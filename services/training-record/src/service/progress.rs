//! Watch progress and reading, per material and person.

use continuity_contract::EmployeeId;
use continuity_shared::audit::{self, AuditContext, Change};
use continuity_shared::db::Db;

use super::catchup;
use super::errors::{TrainingError, TrainingResult};
use crate::db::progress::{self as rows, Progress};
use crate::db::{materials, sessions};
use crate::domain::catchup::duration_seconds;
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

/// Adds a report to the person's progress; completing a material is audited and may move
/// the person's catch-up.
pub async fn report(
    db: &Db,
    material: MaterialId,
    employee: EmployeeId,
    report: Report,
    ctx: AuditContext,
    rules: Rules,
) -> TrainingResult<ProgressView> {
    db.write(move |conn| {
        let (m, _) =
            materials::find(conn, &material)?.ok_or(TrainingError::MaterialNotFound(material))?;
        let s = sessions::find(conn, &m.session_id)?
            .ok_or(TrainingError::MaterialNotFound(material))?
            .value;
        let old = rows::find(conn, &material, &employee)?;
        let mut p = old.clone().unwrap_or(Progress {
            watched: Watched::default(),
            position_seconds: None,
            done: false,
            updated_at: ctx.at.naive_utc(),
        });
        let duration = duration_seconds(&m, &s);
        match (report, m.kind) {
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
        if old.as_ref() != Some(&p) {
            rows::put(conn, &material, &employee, &p)?;
        }
        let was_done = old.as_ref().is_some_and(|o| o.done);
        if p.done && !was_done {
            let id = format!("{material}/{employee}");
            audit::record(
                conn,
                &ctx,
                Change::created(ENTITY, id, &Done { done: true })?,
            )?;
            catchup::refresh_in(conn, &s.project_id, &employee, &ctx)?;
        }
        let video = m.kind == MaterialKind::Video;
        Ok(ProgressView {
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
        })
    })
    .await
}
