//! Coverage answers kept by this replica as sent, each with the project's coverage
//! generation it was computed at. A cached answer is served only while the database still
//! holds that generation, so a change made through any replica is seen at once; the
//! cache only saves reading, judging and serializing the whole team again.

use std::collections::HashMap;
use std::sync::Mutex;

use actix_web::web::Bytes;
use chrono::NaiveDate;
use continuity_contract::ProjectId;
use continuity_shared::i18n::Lang;

/// Answers kept at most; when full the cache starts over (a bounded memory, and the
/// entries that matter come back on the next read).
const CAPACITY: usize = 1_024;

type Key = (ProjectId, NaiveDate, Lang);

#[derive(Default)]
pub struct CoverageCache {
    entries: Mutex<HashMap<Key, (i64, Bytes)>>,
}

impl CoverageCache {
    /// The answer for `key` if it was computed at `generation`.
    pub fn get(&self, key: &Key, generation: i64) -> Option<Bytes> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(g, _)| *g == generation)
            .map(|(_, body)| body.clone())
    }

    pub fn put(&self, key: Key, generation: i64, body: Bytes) {
        // A poisoned lock only means another request panicked mid-insert: skip caching.
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= CAPACITY && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, (generation, body));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(day: u32) -> Key {
        (
            ProjectId::parse("01938a6e-0000-7000-8000-000000000001").unwrap(),
            NaiveDate::from_ymd_opt(2027, 1, day).unwrap(),
            Lang::En,
        )
    }

    #[test]
    fn an_answer_is_served_only_at_the_generation_it_was_computed_at() {
        let cache = CoverageCache::default();
        cache.put(key(1), 3, Bytes::from_static(b"at 3"));
        assert_eq!(cache.get(&key(1), 3).unwrap(), "at 3");
        assert!(cache.get(&key(1), 4).is_none(), "a newer generation");
        assert!(cache.get(&key(2), 3).is_none(), "another date");
        cache.put(key(1), 4, Bytes::from_static(b"at 4"));
        assert_eq!(cache.get(&key(1), 4).unwrap(), "at 4");
    }

    #[test]
    fn the_cache_never_holds_more_than_its_capacity() {
        let cache = CoverageCache::default();
        for i in 0..(CAPACITY as i64 + 10) {
            let mut k = key(1);
            k.1 = k.1 + chrono::Days::new(i as u64);
            cache.put(k, 0, Bytes::new());
        }
        assert!(cache.entries.lock().unwrap().len() <= CAPACITY);
    }
}
