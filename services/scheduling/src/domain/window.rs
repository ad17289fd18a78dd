//! An implementation window and the article's three rules, each checked alone:
//! (a) the implementation avoids resignation peaks; (b) it does not start within the
//! settling-in time after a hiring peak; (c) the stabilization after go-live ends before
//! the next resignation peak.

use chrono::{Days, Months, NaiveDate};
use continuity_shared::i18n::Text;
use continuity_shared::text;
use serde::Serialize;
use utoipa::ToSchema;

/// One stretch of a peak period in real dates, both ends included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeakDates {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub label: (String, String),
}

/// Start, go-live (the first day on the new system) and the last day of stabilization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub start: NaiveDate,
    pub go_live: NaiveDate,
    pub stabilization_end: NaiveDate,
}

impl Plan {
    pub fn new(
        start: NaiveDate,
        implementation_months: u32,
        stabilization_months: u32,
    ) -> Option<Self> {
        let go_live = start.checked_add_months(Months::new(implementation_months))?;
        let stabilization_end = go_live
            .checked_add_months(Months::new(stabilization_months))?
            .pred_opt()?;
        Some(Self {
            start,
            go_live,
            stabilization_end: stabilization_end.max(go_live),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// (a) No resignation peak during the implementation.
    ImplementationAvoidsPeaks,
    /// (b) Not started within the settling-in time after a hiring peak.
    StartAfterSettlingIn,
    /// (c) The stabilization period ends before the next resignation peak.
    StabilizationBeforeNextPeak,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RuleCheck {
    pub rule: Rule,
    pub met: bool,
    pub reason: Text,
}

fn days(a: NaiveDate, b: NaiveDate) -> i64 {
    (b - a).num_days()
}

/// (a): the implementation `[start, go_live)` meets no departure peak.
pub fn implementation_avoids_peaks(plan: &Plan, peaks: &[PeakDates]) -> RuleCheck {
    let last = plan.go_live.pred_opt().unwrap_or(plan.go_live);
    let hit = peaks.iter().find(|p| p.from <= last && p.to >= plan.start);
    let reason = match hit {
        Some(p) => {
            let (from, to, (en, zh)) = (p.from, p.to, &p.label);
            let n = days(p.from.max(plan.start), p.to.min(last)) + 1;
            text!(
                "The implementation runs through the resignation peak {en} ({from} to {to}) for {n} days.",
                "实施期与离职高峰（{zh}，{from} 至 {to}）重叠 {n} 天。"
            )
        }
        None => text!(
            "The implementation meets no resignation peak.",
            "实施期避开了所有离职高峰。"
        ),
    };
    RuleCheck {
        rule: Rule::ImplementationAvoidsPeaks,
        met: hit.is_none(),
        reason,
    }
}

/// (b): the start is not during a hiring peak or within `settling_in_days` after it ends.
pub fn start_after_settling_in(
    plan: &Plan,
    hiring_peaks: &[PeakDates],
    settling_in_days: u32,
) -> RuleCheck {
    let hit = hiring_peaks.iter().find(|p| {
        let settled =
            p.to.checked_add_days(Days::new(settling_in_days.into()))
                .unwrap_or(p.to);
        p.from <= plan.start && plan.start <= settled
    });
    let reason = match hit {
        Some(p) => {
            let (from, to, (en, zh)) = (p.from, p.to, &p.label);
            let settled =
                p.to.checked_add_days(Days::new(settling_in_days.into()))
                    .unwrap_or(p.to);
            let n = days(plan.start, settled) + 1;
            text!(
                "The start falls within the settling-in time of the hiring peak {en} ({from} to {to}): newcomers settle in only by {settled}, {n} days later.",
                "开始日期处于入职高峰（{zh}，{from} 至 {to}）后的适应期内：新员工到 {settled} 才适应，还差 {n} 天。"
            )
        }
        None => text!(
            "The start is clear of every hiring peak's settling-in time.",
            "开始日期不在任何入职高峰的适应期内。"
        ),
    };
    RuleCheck {
        rule: Rule::StartAfterSettlingIn,
        met: hit.is_none(),
        reason,
    }
}

/// (c): no departure peak from go-live to the end of stabilization.
pub fn stabilization_before_next_peak(plan: &Plan, peaks: &[PeakDates]) -> RuleCheck {
    let next = peaks
        .iter()
        .filter(|p| p.to >= plan.go_live)
        .min_by_key(|p| p.from);
    let end = plan.stabilization_end;
    let (met, reason) = match next {
        Some(p) if p.from <= end => {
            let (from, (en, zh)) = (p.from, &p.label);
            let n = days(p.from.max(plan.go_live), end) + 1;
            (
                false,
                text!(
                    "The stabilization period (to {end}) runs {n} days into the resignation peak {en} starting {from}.",
                    "上线后的稳定期（至 {end}）与 {from} 开始的离职高峰（{zh}）重叠 {n} 天。"
                ),
            )
        }
        Some(p) => {
            let (from, (en, zh)) = (p.from, &p.label);
            let n = days(end, p.from) - 1;
            (
                true,
                text!(
                    "The stabilization period ends on {end}, {n} days before the resignation peak {en} starting {from}.",
                    "稳定期于 {end} 结束，比 {from} 开始的离职高峰（{zh}）早 {n} 天。"
                ),
            )
        }
        None => (
            true,
            text!(
                "No resignation peak is expected before the stabilization period ends ({end}).",
                "稳定期结束（{end}）前预计没有离职高峰。"
            ),
        ),
    };
    RuleCheck {
        rule: Rule::StabilizationBeforeNextPeak,
        met,
        reason,
    }
}

/// A team member hired less than the settling-in time before the start.
pub fn settles_after_start(
    hire_date: Option<NaiveDate>,
    start: NaiveDate,
    settling_in_days: u32,
) -> Option<NaiveDate> {
    let settled = hire_date?.checked_add_days(Days::new(settling_in_days.into()))?;
    (settled > start).then_some(settled)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn peak(from: &str, to: &str) -> PeakDates {
        PeakDates {
            from: d(from),
            to: d(to),
            label: ("Feb".into(), "2月".into()),
        }
    }

    #[test]
    fn an_implementation_through_a_peak_breaks_rule_a_and_names_the_overlap() {
        let peaks = [peak("2027-02-01", "2027-02-28")];
        let through = Plan::new(d("2027-01-01"), 3, 3).unwrap();
        let check = implementation_avoids_peaks(&through, &peaks);
        assert!(!check.met);
        assert!(check.reason.en.contains("28 days"), "{}", check.reason.en);
        let after = Plan::new(d("2027-03-01"), 3, 3).unwrap();
        assert!(implementation_avoids_peaks(&after, &peaks).met);
        // Go-live on the peak's first day: the implementation itself ended the day before.
        let before = Plan::new(d("2026-11-01"), 3, 0).unwrap();
        assert_eq!(before.go_live, d("2027-02-01"));
        assert!(implementation_avoids_peaks(&before, &peaks).met);
    }

    #[test]
    fn a_start_inside_a_hiring_peaks_settling_in_breaks_rule_b() {
        let hiring = [peak("2027-03-01", "2027-03-31")];
        let check = |start: &str| {
            start_after_settling_in(&Plan::new(d(start), 3, 3).unwrap(), &hiring, 90).met
        };
        assert!(check("2027-02-01"));
        assert!(!check("2027-03-01"));
        assert!(
            !check("2027-04-01"),
            "the article's case: March hires, April start"
        );
        assert!(!check("2027-06-29"));
        assert!(check("2027-07-01"));
    }

    #[test]
    fn a_stabilization_running_into_the_next_peak_breaks_rule_c_with_the_days() {
        let peaks = [
            peak("2027-02-01", "2027-02-28"),
            peak("2028-01-20", "2028-02-16"),
        ];
        let late = Plan::new(d("2026-08-01"), 4, 3).unwrap(); // go-live 2026-12-01
        let check = stabilization_before_next_peak(&late, &peaks);
        assert!(!check.met);
        assert!(
            check.reason.en.contains("starting 2027-02-01"),
            "{}",
            check.reason.en
        );
        let early = Plan::new(d("2026-07-01"), 4, 3).unwrap(); // stabilization to 2027-01-31
        let ok = stabilization_before_next_peak(&early, &peaks);
        assert!(ok.met, "{}", ok.reason.en);
        assert!(ok.reason.en.contains("0 days before"), "{}", ok.reason.en);
        // After the first peak, the next one counts.
        let spring = Plan::new(d("2027-03-01"), 3, 3).unwrap();
        assert!(stabilization_before_next_peak(&spring, &peaks).met);
    }

    #[test]
    fn a_member_hired_less_than_the_settling_in_time_before_the_start_is_flagged() {
        let start = d("2027-04-01");
        assert_eq!(
            settles_after_start(Some(d("2027-03-01")), start, 90),
            Some(d("2027-05-30"))
        );
        assert_eq!(settles_after_start(Some(d("2026-12-01")), start, 90), None);
        assert_eq!(settles_after_start(None, start, 90), None);
    }
}
