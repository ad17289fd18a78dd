//! What staffing is to the platform: its definition, and what it adds when it starts.

use chrono::NaiveTime;
use continuity_contract::ServiceName;
use continuity_shared::db::Db;
use continuity_shared::scheduler::Job;
use continuity_shared::service::{Extensions, Platform, ServiceDef};

use crate::hr_sources::enrichment::{Enricher, EnrichmentWake};
use crate::hr_sources::metrics::HrSourceMetrics;
use crate::hr_sources::vendor_api::VendorApi;
use crate::hr_sources::{Callbacks, HrSources};
use crate::service::coverage::{self, Scope};
use crate::service::{StaffingError, departments};
use crate::settings::{Rules, StaffingSettings};
use crate::{api, events, service};

pub static SERVICE: ServiceDef = ServiceDef {
    name: "staffing",
    default_port: 8081,
    title: "Continuity staffing",
    description: "Roster, departments, project teams, coverage, HR webhook and handovers.",
    migrations: &[continuity_shared::migrations!()],
    subscriptions: events::SUBSCRIPTIONS,
    routes: api::routes,
    setup,
};

/// The services staffing delivers to: the only ones a snapshot may be queued for.
pub struct Peers(pub Vec<ServiceName>);

fn setup(platform: &Platform) -> anyhow::Result<Extensions> {
    let settings: StaffingSettings = platform.settings.section(&platform.name)?;
    let peers = platform
        .settings
        .peers(&platform.name)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let rules = Rules::new(&settings, platform.clock.tz());
    let hr_keys = platform.settings.hr_webhook_keys();
    if hr_keys.is_empty() {
        tracing::warn!(
            "no HR webhook secret is configured: POST /v1/hr/events refuses every delivery"
        );
    }
    let hr_sources = HrSources::from_settings(&settings.hr_sources)?;
    let metrics = HrSourceMetrics::new(&hr_sources)?;
    let wake = EnrichmentWake::default();
    let enricher = Enricher {
        db: platform.db.clone(),
        clock: platform.clock.clone(),
        rules,
        sources: hr_sources.clone(),
        api: VendorApi::new(&settings.hr_api)?,
        settings: settings.hr_api.clone(),
        metrics: metrics.clone(),
        wake: wake.clone(),
    };
    let callbacks = Callbacks {
        sources: hr_sources,
        metrics: metrics.clone(),
        wake,
    };
    let seed = settings.seed_key_departments;
    Ok(Extensions::default()
        .on_start(move |conn, now| match seed {
            true => Ok(departments::seed_in(conn, now)?),
            false => Ok(()),
        })
        .events(events::StaffingEvents {
            clock: platform.clock.clone(),
        })
        .job(coverage_job(platform.db.clone(), rules))
        .data(rules)
        .data(settings)
        .data(Peers(peers))
        .data(api::RunningReplays::default())
        .data(api::CoverageCache::default())
        .data(api::HrWebhookKeys(hr_keys))
        .data(callbacks)
        .task(enricher.run())
        .metrics(metrics.events)
        .metrics(metrics.refused)
        .job(service::leavers::job(platform.db.clone(), rules)))
}

/// Just after midnight, the company's time: the coverage changes time brings (a last
/// working day passed, a settling-in period over) are published.
fn coverage_job(db: Db, rules: Rules) -> Job {
    let at = NaiveTime::from_hms_opt(0, 5, 0).unwrap_or(NaiveTime::MIN);
    Job::daily("coverage-recheck", at, move |run| {
        let db = db.clone();
        async move {
            let now = run.clock.now();
            let published = db
                .write(move |conn| coverage::recheck(conn, Scope::All, &rules, now))
                .await
                .map_err(|e: StaffingError| anyhow::anyhow!("{e}"))?;
            tracing::info!(published, "coverage rechecked");
            Ok(())
        }
    })
}
