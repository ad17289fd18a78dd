//! The team's risk over a span of days: expected departures (exact) and the probability
//! that some key department has fewer effective members than its minimum on some day
//! (seeded Monte Carlo).
//!
//! Model: each member leaves at a daily hazard that depends on their department and the
//! period of the year; a member already leaving leaves on their last working day. A
//! member counts from the day they are settled in; a leaver is replaced after the hiring
//! delay by a newcomer who counts once settled in (`gap` = delay + settling-in days) and
//! does not leave again within the span.

use super::rng::Rng;

/// One team member, days counted from the span's first day (day 0).
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Index into [`Team::minimums`].
    pub department: usize,
    /// First day the member counts (≤ 0: already settled).
    pub counts_from: i64,
    /// First day absent when the departure is known (a last working day + 1).
    pub known_departure: Option<i64>,
    /// Index into [`Team::cumulative_hazard`].
    pub hazard: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Team {
    pub days: usize,
    /// Minimum effective members of each key department.
    pub minimums: Vec<u32>,
    pub members: Vec<Member>,
    /// Per hazard class: `H[k]` = the hazard summed over days `0..k` (length `days + 1`).
    pub cumulative_hazard: Vec<Vec<f64>>,
    /// Days from a departure until the replacement counts.
    pub gap: i64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub probability: f64,
    pub standard_error: f64,
    pub draws: u32,
}

impl Team {
    /// Expected departures within the span: exact, from the cumulative hazards.
    pub fn expected_departures(&self) -> f64 {
        self.members
            .iter()
            .map(|m| match m.known_departure {
                Some(t) if t <= self.days as i64 => 1.0,
                Some(_) => 0.0,
                None => {
                    let h = &self.cumulative_hazard[m.hazard];
                    1.0 - (-h[self.days]).exp()
                }
            })
            .sum()
    }

    /// First day absent, if the member leaves within the span, for a uniform draw `u`
    /// (the Exp(1) draw is `-ln(1 - u)`). `stays[k]` is the probability of hazard class `k`
    /// staying the whole span: most members do, and need no logarithm or search.
    fn departure(&self, m: &Member, u: f64, stays: &[f64]) -> Option<i64> {
        if let Some(t) = m.known_departure {
            return Some(t);
        }
        // -ln(1 - u) > H[days]  ⟺  1 - u < exp(-H[days]).
        if 1.0 - u < stays[m.hazard] {
            return None;
        }
        let e = -(1.0 - u).ln();
        let h = &self.cumulative_hazard[m.hazard];
        if e > h[self.days] {
            return None;
        }
        // The day j with H[j] < e ≤ H[j+1]: absent from j + 1.
        let j = h.partition_point(|x| *x < e).saturating_sub(1);
        Some(j as i64 + 1)
    }

    /// Each key department's members, by index.
    fn by_department(&self) -> Vec<Vec<usize>> {
        let mut out = vec![Vec::new(); self.minimums.len()];
        for (i, m) in self.members.iter().enumerate() {
            if let Some(d) = out.get_mut(m.department) {
                d.push(i);
            }
        }
        out
    }

    /// Whether some department falls below its minimum on some day, given departures.
    pub fn breached(&self, departures: &[Option<i64>]) -> bool {
        self.breached_with(departures, &self.by_department(), &mut Vec::new())
    }

    /// [`Self::breached`] with the departments' members precomputed and a buffer to reuse:
    /// each member's presence as +1/-1 steps, swept in day order.
    fn breached_with(
        &self,
        departures: &[Option<i64>],
        by_department: &[Vec<usize>],
        steps: &mut Vec<(i64, i32)>,
    ) -> bool {
        let end = self.days as i64;
        for (members, &min) in by_department.iter().zip(&self.minimums) {
            steps.clear();
            for &i in members {
                let from = self.members[i].counts_from;
                // Present on [from, t), and the replacement from t + gap on.
                match departures[i] {
                    None => steps.push((from, 1)),
                    Some(t) => {
                        if from < t {
                            steps.extend([(from, 1), (t, -1)]);
                        }
                        steps.push((t + self.gap, 1));
                    }
                }
            }
            steps.sort_unstable();
            // The count on day 0 (every step up to it), then after each later day's steps.
            let mut count = 0i64;
            let mut k = 0;
            while k < steps.len() && steps[k].0 <= 0 {
                count += i64::from(steps[k].1);
                k += 1;
            }
            if count < i64::from(min) {
                return true;
            }
            while k < steps.len() && steps[k].0 < end {
                let day = steps[k].0;
                while k < steps.len() && steps[k].0 == day {
                    count += i64::from(steps[k].1);
                    k += 1;
                }
                if count < i64::from(min) {
                    return true;
                }
            }
        }
        false
    }

    /// The breach probability from `draws` seeded draws, with its standard error.
    pub fn breach_probability(&self, draws: u32, seed: u64) -> Estimate {
        let mut rng = Rng::new(seed);
        let mut hits = 0u32;
        let mut departures = vec![None; self.members.len()];
        let stays: Vec<f64> = self
            .cumulative_hazard
            .iter()
            .map(|h| (-h.get(self.days).copied().unwrap_or(0.0)).exp())
            .collect();
        let by_department = self.by_department();
        let mut steps = Vec::new();
        for _ in 0..draws {
            for (slot, m) in departures.iter_mut().zip(&self.members) {
                *slot = self.departure(m, rng.uniform(), &stays);
            }
            if self.breached_with(&departures, &by_department, &mut steps) {
                hits += 1;
            }
        }
        let n = f64::from(draws.max(1));
        let p = f64::from(hits) / n;
        Estimate {
            probability: p,
            standard_error: (p * (1.0 - p) / n).sqrt(),
            draws,
        }
    }
}

/// A stable seed from the request's own values (FNV-1a), so the same request gives the
/// same answer.
pub fn seed_of(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn constant(days: usize, h: f64) -> Vec<f64> {
        (0..=days).map(|k| k as f64 * h).collect()
    }

    fn member(department: usize) -> Member {
        Member {
            department,
            counts_from: 0,
            known_departure: None,
            hazard: 0,
        }
    }

    #[test]
    fn two_members_with_a_minimum_of_one_match_the_exact_probability() {
        // Breach iff both leave, the second before the first's replacement counts.
        let (days, h, gap) = (180usize, 0.004, 150i64);
        let team = Team {
            days,
            minimums: vec![1],
            members: vec![member(0), member(0)],
            cumulative_hazard: vec![constant(days, h)],
            gap,
        };
        // P(first absent day = t) for t in 1..=days.
        let p = |t: i64| (-(h * (t - 1) as f64)).exp() - (-(h * t as f64)).exp();
        let mut exact = 0.0;
        for t1 in 1..=days as i64 {
            for t2 in 1..=days as i64 {
                let (first, second) = (t1.min(t2), t1.max(t2));
                if second < days as i64 && second < first + gap {
                    exact += p(t1) * p(t2);
                }
            }
        }
        let est = team.breach_probability(40_000, 1);
        assert!(
            (est.probability - exact).abs() < 4.0 * est.standard_error + 1e-3,
            "estimate {est:?} exact {exact}"
        );
        assert!(exact > 0.05, "the case must not be trivial: {exact}");
        let expected = 2.0 * (1.0 - (-h * days as f64).exp());
        assert!((team.expected_departures() - expected).abs() < 1e-12);
    }

    #[test]
    fn the_same_seed_gives_the_same_answer() {
        let team = Team {
            days: 90,
            minimums: vec![2],
            members: vec![member(0), member(0), member(0)],
            cumulative_hazard: vec![constant(90, 0.01)],
            gap: 150,
        };
        assert_eq!(
            team.breach_probability(2_000, 9),
            team.breach_probability(2_000, 9)
        );
        assert_eq!(seed_of(&["a", "b"]), seed_of(&["a", "b"]));
        assert_ne!(seed_of(&["ab", ""]), seed_of(&["a", "b"]));
    }

    #[test]
    fn a_known_leaver_or_an_unsettled_newcomer_below_the_minimum_is_a_certain_breach() {
        let leaver = Member {
            known_departure: Some(30),
            ..member(0)
        };
        let team = Team {
            days: 90,
            minimums: vec![2],
            members: vec![member(0), leaver],
            cumulative_hazard: vec![constant(90, 0.0)],
            gap: 150,
        };
        assert_eq!(team.breach_probability(100, 1).probability, 1.0);
        assert_eq!(team.expected_departures(), 1.0);
        let newcomer = Member {
            counts_from: 20,
            ..member(0)
        };
        let team = Team {
            members: vec![member(0), newcomer],
            ..team
        };
        assert_eq!(team.breach_probability(100, 1).probability, 1.0);
        let settled = Team {
            members: vec![member(0), member(0)],
            ..team
        };
        assert_eq!(settled.breach_probability(100, 1).probability, 0.0);
    }
}
