//! Watching a recording: the intervals a player reports, kept as their union capped at
//! the duration, so that skipping to the end or replaying a minute never counts twice.

use continuity_shared::{FieldError, text};
use serde::{Deserialize, Serialize};

/// The most intervals one report may carry (a player reports every few seconds).
pub const MAX_INTERVALS_PER_REPORT: usize = 1_000;
/// The default share of a recording that completes it, in percent.
pub const DEFAULT_COMPLETE_PERCENT: u32 = 90;

/// A played stretch `[start, end)` in seconds of the recording.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub start: f64,
    pub end: f64,
}

/// The union of what has been played of one recording, sorted and disjoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Watched(Vec<Interval>);

impl Watched {
    /// Stored intervals, trusted to have been made by [`Watched::add`].
    pub fn from_stored(intervals: Vec<Interval>) -> Self {
        Self(intervals)
    }

    pub fn intervals(&self) -> &[Interval] {
        &self.0
    }

    /// Adds played intervals, each clipped to `[0, duration]`; empty ones are dropped.
    pub fn add(&mut self, played: &[Interval], duration_seconds: f64) {
        let mut all: Vec<Interval> = self.0.clone();
        for p in played {
            let start = p.start.clamp(0.0, duration_seconds);
            let end = p.end.clamp(0.0, duration_seconds);
            if end > start {
                all.push(Interval { start, end });
            }
        }
        all.sort_by(|a, b| a.start.total_cmp(&b.start));
        let mut merged: Vec<Interval> = Vec::with_capacity(all.len());
        for i in all {
            match merged.last_mut() {
                Some(last) if i.start <= last.end => last.end = last.end.max(i.end),
                _ => merged.push(i),
            }
        }
        self.0 = merged;
    }

    /// Seconds watched: the length of the union.
    pub fn seconds(&self) -> f64 {
        self.0.iter().map(|i| i.end - i.start).sum()
    }

    /// The watched share of a recording of `duration_seconds`, 0 to 1.
    pub fn share(&self, duration_seconds: f64) -> f64 {
        if duration_seconds <= 0.0 {
            return 0.0;
        }
        (self.seconds() / duration_seconds).clamp(0.0, 1.0)
    }

    /// Complete once the share reaches `percent` of the recording.
    pub fn is_complete(&self, duration_seconds: f64, percent: u32) -> bool {
        self.share(duration_seconds) * 100.0 >= f64::from(percent) - 1e-9
    }
}

/// Checks reported intervals: finite, not negative, start before end, not too many.
pub fn check_intervals(played: &[Interval]) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if played.len() > MAX_INTERVALS_PER_REPORT {
        errors.push(FieldError::new(
            "played",
            text!(
                "must hold at most {MAX_INTERVALS_PER_REPORT} intervals",
                "最多包含 {MAX_INTERVALS_PER_REPORT} 个区间"
            ),
        ));
    }
    for (n, i) in played.iter().enumerate() {
        let ok = i.start.is_finite() && i.end.is_finite() && i.start >= 0.0 && i.end >= i.start;
        if !ok {
            errors.push(FieldError::new(
                format!("played[{n}]"),
                text!(
                    "must have 0 <= start <= end, in seconds",
                    "须满足 0 <= start <= end（秒）"
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(start: f64, end: f64) -> Interval {
        Interval { start, end }
    }

    #[test]
    fn overlapping_and_touching_intervals_are_merged() {
        let mut w = Watched::default();
        w.add(&[iv(0.0, 60.0), iv(30.0, 90.0), iv(90.0, 120.0)], 600.0);
        assert_eq!(w.intervals(), [iv(0.0, 120.0)]);
        w.add(&[iv(200.0, 260.0), iv(100.0, 110.0)], 600.0);
        assert_eq!(w.intervals(), [iv(0.0, 120.0), iv(200.0, 260.0)]);
        assert_eq!(w.seconds(), 180.0);
    }

    #[test]
    fn the_same_minute_reported_twice_counts_once() {
        let mut w = Watched::default();
        w.add(&[iv(60.0, 120.0)], 600.0);
        w.add(&[iv(60.0, 120.0)], 600.0);
        assert_eq!(w.seconds(), 60.0);
    }

    #[test]
    fn a_jump_to_the_end_counts_only_what_was_played() {
        let mut w = Watched::default();
        w.add(&[iv(0.0, 5.0), iv(595.0, 600.0)], 600.0);
        assert_eq!(w.seconds(), 10.0);
        assert!(!w.is_complete(600.0, 90));
    }

    #[test]
    fn intervals_beyond_the_duration_are_capped_and_an_empty_one_is_nothing() {
        let mut w = Watched::default();
        w.add(
            &[iv(500.0, 10_000.0), iv(700.0, 900.0), iv(50.0, 50.0)],
            600.0,
        );
        assert_eq!(w.intervals(), [iv(500.0, 600.0)]);
        assert_eq!(w.share(600.0), 100.0 / 600.0);
    }

    #[test]
    fn a_recording_completes_at_the_threshold_and_not_just_below() {
        let mut w = Watched::default();
        w.add(&[iv(0.0, 539.0)], 600.0);
        assert!(!w.is_complete(600.0, 90));
        w.add(&[iv(539.0, 540.0)], 600.0);
        assert!(w.is_complete(600.0, 90));
        assert!(!w.is_complete(600.0, 100));
    }

    #[test]
    fn negative_reversed_or_infinite_intervals_are_refused_by_index() {
        let errors = check_intervals(&[
            iv(0.0, 1.0),
            iv(-1.0, 3.0),
            iv(5.0, 4.0),
            iv(0.0, f64::INFINITY),
        ])
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["played[1]", "played[2]", "played[3]"]);
        assert!(check_intervals(&[iv(0.0, 0.0)]).is_ok());
    }
}
