//! What training-record is to the platform: its definition, and what it adds when it starts.

use std::time::Duration;

use chrono::NaiveTime;
use continuity_contract::ServiceName;
use continuity_shared::db::Db;
use continuity_shared::roster::{self, RosterCopy};
use continuity_shared::scheduler::Job;
use continuity_shared::service::{Extensions, Platform, ServiceDef};

use secrecy::ExposeSecret;

use crate::domain::playback::PlaybackKey;
use crate::service::curriculum::CurriculumCache;
use crate::service::storage::{S3, Storage};
use crate::service::uploads::{self, UploadLocks};
use crate::service::{TrainingError, catchup};
use crate::settings::{Rules, TrainingSettings};
use crate::{api, events};

pub static SERVICE: ServiceDef = ServiceDef {
    name: "training-record",
    default_port: 8082,
    title: "Continuity training-record",
    description: "Training sessions, their recordings, attendance, viewing progress and each person's catch-up plan.",
    migrations: &[roster::MIGRATIONS, continuity_shared::migrations!()],
    subscriptions: events::SUBSCRIPTIONS,
    routes: api::routes,
    setup,
};

fn setup(platform: &Platform) -> anyhow::Result<Extensions> {
    let producer = ServiceName::parse(events::ROSTER_PRODUCER)?;
    let settings: TrainingSettings = platform.settings.section(&platform.name)?;
    let rules = Rules::new(&settings, platform.clock.tz())?;
    let dir = settings
        .storage_dir
        .clone()
        .unwrap_or_else(|| platform.settings.data_dir.join("training-materials"));
    let s3 = match &settings.s3_bucket {
        Some(bucket) => Some(
            S3::from_settings(&settings, bucket)
                .map_err(|e| anyhow::anyhow!("S3 bucket {bucket}: {e}"))?,
        ),
        None => None,
    };
    let storage = Storage::new(dir.clone(), s3, settings.max_upload_bytes)
        .map_err(|e| anyhow::anyhow!("storage directory {}: {e}", dir.display()))?;
    let playback = playback_key(&settings, platform);
    Ok(Extensions::default()
        .roster_copy(RosterCopy::of(producer))
        .events(events::TrainingEvents {
            clock: platform.clock.clone(),
            rules,
        })
        .job(overdue_job(platform.db.clone(), rules))
        .job(expiry_job(platform.db.clone(), storage.clone()))
        .data(UploadLocks::default())
        .data(CurriculumCache::default())
        .data(rules)
        .data(storage)
        .data(playback)
        .data(settings))
}

/// The key of signed playback URLs: from `training_record.playback_secret`, else the
/// service token (the same on every replica); else a random one (URLs then hold only on
/// the replica that made them, until it restarts).
fn playback_key(settings: &TrainingSettings, platform: &Platform) -> PlaybackKey {
    let secret = settings
        .playback_secret
        .as_ref()
        .or(platform.settings.service_token.as_ref());
    match secret {
        Some(s) => PlaybackKey::derive(s.expose_secret().as_bytes()),
        None => {
            tracing::warn!(
                "neither training_record.playback_secret nor a service token is set: \
                 signed playback URLs hold only on this replica until it restarts"
            );
            PlaybackKey::derive(&rand::random::<[u8; 32]>())
        }
    }
}

/// Just after midnight, the company's time: plans whose due date has passed with sessions
/// left are reported overdue (`catchup.overdue`), once each.
fn overdue_job(db: Db, rules: Rules) -> Job {
    let at = NaiveTime::from_hms_opt(0, 10, 0).unwrap_or(NaiveTime::MIN);
    Job::daily("catchup-overdue", at, move |run| {
        let db = db.clone();
        async move {
            let now = run.clock.now();
            let today = rules.today(now);
            let published = db
                .write(move |conn| catchup::report_overdue_in(conn, today, now))
                .await
                .map_err(|e: TrainingError| anyhow::anyhow!("{e}"))?;
            tracing::info!(published, "overdue catch-up plans reported");
            Ok(())
        }
    })
}

/// Every quarter of an hour: resumable uploads whose time ran out are removed, unfinished
/// ones with the bytes they had gathered.
fn expiry_job(db: Db, storage: Storage) -> Job {
    Job::every("uploads-expire", Duration::from_secs(15 * 60), move |run| {
        let (db, storage) = (db.clone(), storage.clone());
        async move {
            let removed = uploads::expire(&db, &storage, run.clock.now())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if removed > 0 {
                tracing::info!(removed, "expired uploads removed");
            }
            Ok(())
        }
    })
}
