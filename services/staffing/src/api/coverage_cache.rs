//! Coverage answers kept by this replica as sent, each with the project's coverage
//! generation it was computed at. A cached answer is served only while the database still
//! holds that generation, so a change made through any replica is seen at once; the
//! cache only saves reading, judging and serializing the whole team again.

use actix_web::web::Bytes;
use chrono::NaiveDate;
use continuity_contract::ProjectId;
use continuity_shared::db::GenerationCache;
use continuity_shared::i18n::Lang;

/// A project's coverage on a day, in a language.
pub type CoverageKey = (ProjectId, NaiveDate, Lang);

/// At most [`continuity_shared::db::DEFAULT_CAPACITY`] answers.
pub type CoverageCache = GenerationCache<CoverageKey, Bytes>;
