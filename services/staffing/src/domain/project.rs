//! Projects: what an implementation plans, and the dates its coverage is measured against.

use chrono::{Months, NaiveDate};
use continuity_contract::{Name, ProjectId, ProjectStatus};
use continuity_shared::{FieldError, text};

use super::department::parse_name;

/// The longest stabilization period a project may plan, in months.
pub const MAX_STABILIZATION_MONTHS: u32 = 36;
/// The stabilization period when a client names none.
pub const DEFAULT_STABILIZATION_MONTHS: u32 = 3;

/// A CRM implementation project; serialized as the audit trail records it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Project {
    pub project_id: ProjectId,
    pub name: Name,
    pub status: ProjectStatus,
    pub planned_start: Option<NaiveDate>,
    pub planned_go_live: Option<NaiveDate>,
    /// Months after go-live during which the team must stay covered.
    pub stabilization_months: u32,
}

impl Project {
    /// A project from what a client sent: a name, a stabilization period of at most three
    /// years, and a go-live that does not come before the start.
    pub fn new(
        project_id: ProjectId,
        name: &str,
        status: ProjectStatus,
        planned_start: Option<NaiveDate>,
        planned_go_live: Option<NaiveDate>,
        stabilization_months: u32,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = parse_name(name).map_err(|e| errors.push(e)).ok();
        if stabilization_months > MAX_STABILIZATION_MONTHS {
            errors.push(FieldError::new(
                "stabilization_months",
                text!(
                    "must be from 0 to {MAX_STABILIZATION_MONTHS}",
                    "须在 0 到 {MAX_STABILIZATION_MONTHS} 之间"
                ),
            ));
        }
        if let (Some(start), Some(live)) = (planned_start, planned_go_live)
            && live < start
        {
            errors.push(FieldError::new(
                "planned_go_live",
                text!("cannot be before planned_start", "不能早于 planned_start"),
            ));
        }
        match name {
            Some(name) if errors.is_empty() => Ok(Self {
                project_id,
                name,
                status,
                planned_start,
                planned_go_live,
                stabilization_months,
            }),
            _ => Err(errors),
        }
    }

    /// Active means not closed: only active projects have coverage and handovers.
    pub fn is_active(&self) -> bool {
        self.status != ProjectStatus::Closed
    }

    /// The last day of the stabilization period: planned go-live plus its months.
    pub fn stabilization_end(&self) -> Option<NaiveDate> {
        self.planned_go_live?
            .checked_add_months(Months::new(self.stabilization_months))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn project(
        start: Option<NaiveDate>,
        live: Option<NaiveDate>,
        months: u32,
    ) -> Result<Project, Vec<FieldError>> {
        Project::new(
            ProjectId::new(),
            "CRM",
            ProjectStatus::Planned,
            start,
            live,
            months,
        )
    }

    #[test]
    fn a_go_live_before_the_start_and_a_long_stabilization_are_refused() {
        let errors = project(Some(day(2026, 5, 1)), Some(day(2026, 4, 30)), 37).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["stabilization_months", "planned_go_live"]);
        assert!(project(Some(day(2026, 5, 1)), Some(day(2026, 5, 1)), 36).is_ok());
        assert!(project(None, None, 0).is_ok());
    }

    #[test]
    fn the_stabilization_period_ends_months_after_go_live() {
        let p = project(None, Some(day(2026, 1, 31)), 3).unwrap();
        assert_eq!(p.stabilization_end(), Some(day(2026, 4, 30)));
        assert_eq!(project(None, None, 3).unwrap().stabilization_end(), None);
    }
}
