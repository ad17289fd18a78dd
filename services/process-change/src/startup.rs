//! What process-change is to the platform: its definition, and what it adds when it starts.

use chrono::NaiveTime;
use continuity_contract::ServiceName;
use continuity_shared::db::Db;
use continuity_shared::roster::{self, RosterCopy};
use continuity_shared::scheduler::Job;
use continuity_shared::service::{Extensions, Platform, ServiceDef};

use crate::events::{Arrivals, ProcessChangeEvents};
use crate::service::overdue;
use crate::settings::ProcessChangeSettings;
use crate::{api, events};

pub static SERVICE: ServiceDef = ServiceDef {
    name: "process-change",
    default_port: 8083,
    title: "Continuity process-change",
    description: "Business-process changes, liaison notices to departments and person-by-person acknowledgments.",
    migrations: &[roster::MIGRATIONS, continuity_shared::migrations!()],
    subscriptions: events::SUBSCRIPTIONS,
    routes: api::routes,
    setup,
};

fn setup(platform: &Platform) -> anyhow::Result<Extensions> {
    let settings: ProcessChangeSettings = platform.settings.section(&platform.name)?;
    let producer = ServiceName::parse(events::ROSTER_PRODUCER)?;
    let clock = platform.clock.clone();
    Ok(Extensions::default()
        .roster_copy(RosterCopy::of(producer).with_hook(Arrivals {
            clock: clock.clone(),
        }))
        .events(ProcessChangeEvents { clock })
        .job(overdue_job(platform.db.clone(), settings))
        .data(settings))
}

/// Early each morning, the company's time: reminders for acknowledgments left pending.
fn overdue_job(db: Db, settings: ProcessChangeSettings) -> Job {
    let at = NaiveTime::from_hms_opt(0, 10, 0).unwrap_or(NaiveTime::MIN);
    Job::daily("acknowledgment-overdue", at, move |run| {
        let db = db.clone();
        async move {
            let now = run.clock.now();
            let today = run.clock.today();
            let n = overdue::remind(&db, today, settings.acknowledgment_overdue_days, now)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            tracing::info!(reminded = n, "overdue acknowledgments reported");
            Ok(())
        }
    })
}
