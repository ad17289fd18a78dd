//! Synthetic histories from known hazards, for tests: each of `n` posts is held by one
//! person at a time; every day the holder leaves with probability `hazard(day)` and is
//! replaced the next day. `growth` adds that many posts on the first of every month.

use chrono::{Datelike, NaiveDate};

use super::rng::Rng;
use super::seasonality::Span;

pub fn history(
    n: usize,
    from: NaiveDate,
    to: NaiveDate,
    growth: usize,
    seed: u64,
    hazard: impl Fn(NaiveDate) -> f64,
) -> Vec<Span> {
    let mut rng = Rng::new(seed);
    let long_ago = from.pred_opt().unwrap_or(from);
    let mut open: Vec<NaiveDate> = vec![long_ago; n];
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        if day.day() == 1 && day > from {
            open.extend(std::iter::repeat_n(day, growth));
        }
        let h = hazard(day);
        let next = day.succ_opt().unwrap_or(day);
        for hire in open.iter_mut() {
            if *hire <= day && rng.uniform() < h {
                out.push(Span {
                    hire: *hire,
                    leave: Some(day),
                });
                *hire = next;
            }
        }
        day = next;
    }
    out.extend(open.into_iter().map(|hire| Span { hire, leave: None }));
    out
}
