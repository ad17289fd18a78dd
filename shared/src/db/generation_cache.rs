//! Values a replica computed from the database, each kept with the generation it was
//! computed at. A service bumps a generation counter in its database in the transaction of
//! every change that can move a value, and reads it (one indexed read) before serving a
//! kept value: a value is served only while the database still holds its generation, so
//! a change made through any replica is seen at once.
//!
//! The rules that keep this sound live with each service: bump in the same transaction as
//! the change; read the generation *before* the data a value is computed from (a value
//! then never claims a generation newer than its data); compute values only from committed
//! data (a read connection, never inside a write that may still roll back).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// Values kept at most by default; when full the cache starts over (a bounded memory, and
/// the entries that matter come back on the next read).
pub const DEFAULT_CAPACITY: usize = 1_024;

/// A replica's values by key, each with its generation. Cheap to clone: clones share it.
pub struct GenerationCache<K, V> {
    entries: Arc<Mutex<HashMap<K, (i64, V)>>>,
    capacity: usize,
}

impl<K, V> Clone for GenerationCache<K, V> {
    fn clone(&self) -> Self {
        Self {
            entries: self.entries.clone(),
            capacity: self.capacity,
        }
    }
}

impl<K: Eq + Hash, V: Clone> Default for GenerationCache<K, V> {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl<K: Eq + Hash, V: Clone> GenerationCache<K, V> {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: Arc::new(Mutex::new(HashMap::new())),
            capacity: capacity.max(1),
        }
    }

    /// The value for `key` if it was computed at `generation`.
    pub fn get(&self, key: &K, generation: i64) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(g, _)| *g == generation)
            .map(|(_, value)| value.clone())
    }

    pub fn put(&self, key: K, generation: i64, value: V) {
        // A poisoned lock only means another request panicked mid-insert: skip caching.
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, (generation, value));
    }

    /// How many values are kept.
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_served_only_at_the_generation_it_was_computed_at() {
        let cache: GenerationCache<&str, &str> = GenerationCache::default();
        cache.put("a", 3, "at 3");
        assert_eq!(cache.get(&"a", 3), Some("at 3"));
        assert_eq!(cache.get(&"a", 4), None, "a newer generation");
        assert_eq!(cache.get(&"b", 3), None, "another key");
        cache.put("a", 4, "at 4");
        assert_eq!(cache.get(&"a", 4), Some("at 4"));
        assert_eq!(cache.get(&"a", 3), None, "the older value is gone");
    }

    #[test]
    fn the_cache_never_holds_more_than_its_capacity() {
        let cache: GenerationCache<u32, ()> = GenerationCache::with_capacity(8);
        for k in 0..20 {
            cache.put(k, 0, ());
            assert!(cache.len() <= 8);
        }
        assert!(!cache.is_empty());
    }

    #[test]
    fn clones_share_their_values() {
        let cache: GenerationCache<u32, u32> = GenerationCache::default();
        cache.clone().put(1, 0, 7);
        assert_eq!(cache.get(&1, 0), Some(7));
    }
}
