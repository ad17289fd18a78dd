//! Delivery policy, free of I/O: the retry schedule and what an attempt's outcome means.

use std::time::Duration;

use chrono::NaiveDateTime;

use crate::settings::EventSettings;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: i32,
    pub base: Duration,
    pub max: Duration,
}

impl From<&EventSettings> for RetryPolicy {
    fn from(s: &EventSettings) -> Self {
        Self {
            max_attempts: s.max_attempts,
            base: Duration::from_millis(s.base_delay_ms),
            max: Duration::from_millis(s.max_delay_ms),
        }
    }
}

/// What one delivery attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered {
        status: u16,
    },
    Failed {
        status: Option<u16>,
        error: String,
        retry_after: Option<Duration>,
    },
    /// Not looked at by the receiver: an earlier event of its subject in the same batch
    /// was refused. Neither a success nor an attempt of its own.
    Held,
}

/// What to do with a delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    Delivered,
    RetryAt(NaiveDateTime),
    Dead,
    /// Let go of the lease without counting an attempt (a held event: it goes again with
    /// the event that held it).
    Release,
}

impl RetryPolicy {
    /// The wait after the `attempt`-th failed attempt (1-based): exponential, capped, with
    /// "equal jitter" (`jitter` in 0..1 picks a point in the upper half), so that many
    /// producers failing together do not retry together.
    pub fn backoff(&self, attempt: i32, jitter: f64) -> Duration {
        let exp = attempt.saturating_sub(1).clamp(0, 30) as u32;
        let full = self.base.saturating_mul(1u32 << exp).min(self.max);
        let half = full / 2;
        half + half.mul_f64(jitter.clamp(0.0, 1.0))
    }

    /// The decision after an attempt; `attempts` counts this one. A `Retry-After` from the
    /// receiver pushes the next attempt later, never sooner, and never beyond
    /// [`MAX_RETRY_AFTER`]: a receiver must not park a delivery for ever (nor, through an
    /// absurd date, make it sort as due again at once).
    pub fn decide(
        &self,
        attempts: i32,
        outcome: &Outcome,
        now: NaiveDateTime,
        jitter: f64,
    ) -> Decision {
        match outcome {
            Outcome::Delivered { .. } => Decision::Delivered,
            Outcome::Held => Decision::Release,
            Outcome::Failed { .. } if attempts >= self.max_attempts => Decision::Dead,
            Outcome::Failed { retry_after, .. } => {
                let asked = retry_after.unwrap_or_default().min(MAX_RETRY_AFTER);
                let wait = self.backoff(attempts, jitter).max(asked);
                let wait = chrono::Duration::from_std(wait)
                    .unwrap_or_else(|_| chrono::Duration::seconds(3600));
                Decision::RetryAt(now + wait)
            }
        }
    }
}

/// The longest wait a receiver's `Retry-After` may ask for.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// `Retry-After` in seconds (the HTTP-date form is rare between services and ignored).
pub fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    value?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            base: Duration::from_millis(500),
            max: Duration::from_secs(10),
        }
    }

    fn t0() -> NaiveDateTime {
        "2026-11-28T10:00:00".parse().unwrap()
    }

    fn failed(retry_after: Option<u64>) -> Outcome {
        Outcome::Failed {
            status: Some(500),
            error: "boom".into(),
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    #[test]
    fn the_backoff_doubles_each_attempt_up_to_the_cap() {
        let p = policy();
        let top: Vec<u128> = (1..=7).map(|a| p.backoff(a, 1.0).as_millis()).collect();
        assert_eq!(top, vec![500, 1000, 2000, 4000, 8000, 10000, 10000]);
    }

    #[test]
    fn jitter_stays_within_the_upper_half() {
        let p = policy();
        assert_eq!(p.backoff(3, 0.0).as_millis(), 1000);
        assert_eq!(p.backoff(3, 0.5).as_millis(), 1500);
        assert_eq!(p.backoff(3, 1.0).as_millis(), 2000);
    }

    #[test]
    fn a_failure_is_retried_after_the_backoff() {
        let d = policy().decide(2, &failed(None), t0(), 1.0);
        assert_eq!(
            d,
            Decision::RetryAt(t0() + chrono::Duration::milliseconds(1000))
        );
    }

    #[test]
    fn retry_after_pushes_the_next_attempt_later_but_never_sooner() {
        let later = policy().decide(1, &failed(Some(30)), t0(), 1.0);
        assert_eq!(
            later,
            Decision::RetryAt(t0() + chrono::Duration::seconds(30))
        );
        let sooner = policy().decide(4, &failed(Some(0)), t0(), 1.0);
        assert_eq!(
            sooner,
            Decision::RetryAt(t0() + chrono::Duration::seconds(4))
        );
    }

    #[test]
    fn a_far_future_retry_after_waits_an_hour_at_most() {
        let far = Outcome::Failed {
            status: Some(503),
            error: "later".into(),
            retry_after: parse_retry_after(Some("18446744073709551615")),
        };
        assert_eq!(
            policy().decide(1, &far, t0(), 1.0),
            Decision::RetryAt(t0() + chrono::Duration::hours(1))
        );
    }

    #[test]
    fn the_last_allowed_failure_parks_the_event_as_dead() {
        assert_eq!(policy().decide(5, &failed(None), t0(), 0.3), Decision::Dead);
        assert!(matches!(
            policy().decide(4, &failed(None), t0(), 0.3),
            Decision::RetryAt(_)
        ));
    }

    #[test]
    fn success_is_delivered_whatever_the_attempt() {
        assert_eq!(
            policy().decide(9, &Outcome::Delivered { status: 200 }, t0(), 0.0),
            Decision::Delivered
        );
    }

    #[test]
    fn retry_after_seconds_are_parsed_and_dates_ignored() {
        assert_eq!(parse_retry_after(Some("7")), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            None
        );
        assert_eq!(parse_retry_after(None), None);
    }
}
