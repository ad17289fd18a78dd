//! One snapshot replay at a time per subscriber. A replay queues every department and
//! employee again, so replays repeated in parallel would hold the writer and grow the
//! outbox for nothing; a second one while the first runs is answered 409 instead.
//! The set lives in this process (each replica limits its own).

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

/// The subscribers a replay is running for; registered as app data at start-up.
#[derive(Debug, Default, Clone)]
pub struct RunningReplays(Arc<Mutex<HashSet<String>>>);

impl RunningReplays {
    /// Marks `subscriber` as replaying until the guard is dropped; `None` while a replay
    /// for it is already running.
    pub fn start(&self, subscriber: &str) -> Option<ReplayGuard> {
        let mut running = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        running.insert(subscriber.to_owned()).then(|| ReplayGuard {
            running: self.clone(),
            subscriber: subscriber.to_owned(),
        })
    }
}

/// Held while a replay runs; dropping it (the replay done, failed or abandoned) frees the
/// subscriber.
#[derive(Debug)]
pub struct ReplayGuard {
    running: RunningReplays,
    subscriber: String,
}

impl Drop for ReplayGuard {
    fn drop(&mut self) {
        let mut running = self
            .running
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        running.remove(&self.subscriber);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_replay_for_the_same_subscriber_waits_for_the_first_to_end() {
        let running = RunningReplays::default();
        let first = running.start("scheduling").unwrap();
        assert!(running.start("scheduling").is_none());
        let other = running.start("training-record");
        assert!(other.is_some(), "another subscriber is not held back");
        drop(first);
        assert!(running.start("scheduling").is_some());
    }
}
