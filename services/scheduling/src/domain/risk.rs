//! A plan's risk level: `high` when the breach probability is at least 30% or two or
//! more rules are broken; `medium` from 10%, or with one broken rule; else `low`.

use continuity_contract::RiskLevel;

pub const MEDIUM_FROM: f64 = 0.10;
pub const HIGH_FROM: f64 = 0.30;

pub fn level(breach_probability: f64, broken_rules: usize) -> RiskLevel {
    if breach_probability >= HIGH_FROM || broken_rules >= 2 {
        RiskLevel::High
    } else if breach_probability >= MEDIUM_FROM || broken_rules == 1 {
        RiskLevel::Medium
    } else {
        RiskLevel::Low
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thresholds_and_broken_rules_set_the_level() {
        assert_eq!(level(0.0, 0), RiskLevel::Low);
        assert_eq!(level(0.099, 0), RiskLevel::Low);
        assert_eq!(level(0.10, 0), RiskLevel::Medium);
        assert_eq!(level(0.0, 1), RiskLevel::Medium);
        assert_eq!(level(0.30, 0), RiskLevel::High);
        assert_eq!(level(0.0, 2), RiskLevel::High);
    }
}
