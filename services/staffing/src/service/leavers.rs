//! The daily passage of time on the roster: on the day after their last working day, a
//! `leaving` employee becomes `left` and `employee.left` is published, once.

use chrono::{DateTime, NaiveTime, Utc};
use continuity_shared::audit::AuditContext;
use continuity_shared::db::Db;
use continuity_shared::scheduler::{Job, JobRun};

use super::employees;
use super::errors::StaffingResult;
use crate::db::employees as rows;
use crate::domain::employee::status_on;
use crate::domain::transition::Facts;
use crate::settings::Rules;

/// The job's name in the scheduler's table.
pub const JOB: &str = "staffing.leavers";

/// Just after midnight, the company's time.
pub fn job(db: Db, rules: Rules) -> Job {
    Job::daily(
        JOB,
        NaiveTime::from_hms_opt(0, 5, 0).unwrap_or_default(),
        move |run: JobRun| {
            let db = db.clone();
            async move {
                let (now, today) = (run.clock.now(), run.clock.today());
                let gone = let_leavers_go(&db, now, rules).await?;
                tracing::info!(staffing.leavers = gone, %today, "leavers whose last day has passed are now left");
                Ok(())
            }
        },
    )
}

/// Makes `left` every `leaving` employee whose last working day is before `today` (those
/// of every day missed while the service was down included), in one transaction. Running
/// it again finds nobody: each `employee.left` is published once.
pub async fn let_leavers_go(db: &Db, now: DateTime<Utc>, rules: Rules) -> StaffingResult<usize> {
    let today = rules.today(now);
    db.write(move |conn| {
        let due = rows::leaving_before(conn, today)?;
        let ctx = AuditContext::for_event("scheduler", &format!("{JOB}/{today}"), now);
        let facts = Facts::on(today);
        for stored in &due {
            let after = crate::domain::employee::Employee {
                status: status_on(stored.value.last_working_day, today),
                ..stored.value.clone()
            };
            employees::change_in(
                conn,
                Some(stored.clone()),
                after,
                &facts,
                None,
                &ctx,
                &rules,
            )?;
        }
        Ok(due.len())
    })
    .await
}
