//! Coverage: whether each department on a project has enough effective members on a date,
//! by the contract's rules. Free of I/O: the service gathers the facts, this decides.

use chrono::{Days, NaiveDate};
use continuity_contract::{CoverageStatus, DepartmentCode, EmployeeId, TeamRole};
use continuity_shared::i18n::Text;
use continuity_shared::text;

use super::project::Project;

/// The settings coverage is read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoverageRules {
    /// Days after hiring before a person counts as effective.
    pub settling_in_days: u32,
    /// How far ahead a departure puts a department at risk once the project's
    /// stabilization period is over (or when it has no go-live planned).
    pub horizon_days: u32,
}

impl Default for CoverageRules {
    fn default() -> Self {
        Self {
            settling_in_days: 90,
            horizon_days: 90,
        }
    }
}

impl CoverageRules {
    /// The first day a person hired on `hire_date` counts as effective.
    pub fn settled_from(&self, hire_date: NaiveDate) -> NaiveDate {
        hire_date
            .checked_add_days(Days::new(self.settling_in_days.into()))
            .unwrap_or(NaiveDate::MAX)
    }

    /// A departure before this day puts the department at risk on `on`: the end of the
    /// stabilization period, or `horizon_days` ahead once that has passed.
    pub fn risk_horizon(&self, project: &Project, on: NaiveDate) -> NaiveDate {
        match project.stabilization_end() {
            Some(end) if end > on => end,
            _ => on
                .checked_add_days(Days::new(self.horizon_days.into()))
                .unwrap_or(NaiveDate::MAX),
        }
    }
}

/// What a department owes a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentNeed {
    pub code: DepartmentCode,
    pub key: bool,
    pub required: u32,
}

/// A team member with what coverage needs to know of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFacts {
    pub employee_id: EmployeeId,
    /// The department the member represents on the project.
    pub department_code: DepartmentCode,
    pub role: TeamRole,
    pub backup_for: Option<EmployeeId>,
    pub joined_on: NaiveDate,
    pub hire_date: NaiveDate,
    pub last_working_day: Option<NaiveDate>,
}

/// One member as coverage sees them on the date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberCoverage {
    pub employee_id: EmployeeId,
    pub role: TeamRole,
    pub effective: bool,
    /// Has a last working day (on or after the date: still counted until then).
    pub leaving: bool,
    pub last_working_day: Option<NaiveDate>,
    /// Still settling in: counts from this day on.
    pub new_hire_until: Option<NaiveDate>,
    pub backup_for: Option<EmployeeId>,
}

/// Why a department has the status it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoverageReason {
    Short {
        effective: u32,
        required: u32,
    },
    OnlyOne {
        employee_id: EmployeeId,
    },
    LeavesTooSoon {
        employee_id: EmployeeId,
        last_working_day: NaiveDate,
        before: NaiveDate,
    },
    SettlingIn {
        employee_id: EmployeeId,
        until: NaiveDate,
    },
    Gone {
        employee_id: EmployeeId,
        last_working_day: NaiveDate,
    },
}

impl CoverageReason {
    pub fn text(&self) -> Text {
        match self {
            Self::Short {
                effective,
                required,
            } => text!(
                "{effective} effective member(s), {required} required",
                "有效成员 {effective} 人，要求 {required} 人"
            ),
            Self::OnlyOne { employee_id } => text!(
                "{employee_id} is the only effective member",
                "{employee_id} 是唯一的有效成员"
            ),
            Self::LeavesTooSoon {
                employee_id,
                last_working_day,
                before,
            } => text!(
                "{employee_id} leaves on {last_working_day}, before {before}",
                "{employee_id} 将于 {last_working_day} 离职，早于 {before}"
            ),
            Self::SettlingIn { employee_id, until } => text!(
                "{employee_id} is settling in until {until}",
                "{employee_id} 仍在适应期，至 {until}"
            ),
            Self::Gone {
                employee_id,
                last_working_day,
            } => text!(
                "{employee_id} left after {last_working_day}",
                "{employee_id} 已于 {last_working_day} 后离开"
            ),
        }
    }
}

/// One department's coverage on the date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentCoverage {
    pub code: DepartmentCode,
    pub key: bool,
    pub required: u32,
    pub effective: u32,
    pub status: CoverageStatus,
    pub members: Vec<MemberCoverage>,
    pub reasons: Vec<CoverageReason>,
}

/// A project's coverage on a date: departments worst first, and the worst overall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub on: NaiveDate,
    pub status: CoverageStatus,
    pub departments: Vec<DepartmentCoverage>,
}

impl Coverage {
    pub fn department(&self, code: &DepartmentCode) -> Option<&DepartmentCoverage> {
        self.departments.iter().find(|d| d.code == *code)
    }
}

/// Coverage of `project` on `on`, for every department with members on the team or marked
/// key (`needs` holds every department the members name and every key one).
pub fn coverage(
    project: &Project,
    needs: &[DepartmentNeed],
    members: &[MemberFacts],
    on: NaiveDate,
    rules: &CoverageRules,
) -> Coverage {
    let horizon = rules.risk_horizon(project, on);
    let mut departments: Vec<DepartmentCoverage> = needs
        .iter()
        .filter(|n| n.key || members.iter().any(|m| m.department_code == n.code))
        .map(|need| {
            let on_team = members
                .iter()
                .filter(|m| m.department_code == need.code && m.joined_on <= on);
            department(need, on_team, on, horizon, rules)
        })
        .collect();
    departments.sort_by(|a, b| a.status.cmp(&b.status).then_with(|| a.code.cmp(&b.code)));
    Coverage {
        on,
        status: CoverageStatus::worst(departments.iter().map(|d| d.status))
            .unwrap_or(CoverageStatus::Ok),
        departments,
    }
}

fn department<'a>(
    need: &DepartmentNeed,
    on_team: impl Iterator<Item = &'a MemberFacts>,
    on: NaiveDate,
    horizon: NaiveDate,
    rules: &CoverageRules,
) -> DepartmentCoverage {
    let mut members = Vec::new();
    let mut reasons = Vec::new();
    let mut at_risk = Vec::new();
    for m in on_team {
        let settled_from = rules.settled_from(m.hire_date);
        let settling = on < settled_from;
        let gone = m.last_working_day.is_some_and(|d| on > d);
        let effective = !settling && !gone;
        if settling && !gone {
            at_risk.push(CoverageReason::SettlingIn {
                employee_id: m.employee_id.clone(),
                until: settled_from,
            });
        }
        if let Some(day) = m.last_working_day {
            if gone {
                reasons.push(CoverageReason::Gone {
                    employee_id: m.employee_id.clone(),
                    last_working_day: day,
                });
            } else if effective && day < horizon {
                at_risk.push(CoverageReason::LeavesTooSoon {
                    employee_id: m.employee_id.clone(),
                    last_working_day: day,
                    before: horizon,
                });
            }
        }
        members.push(MemberCoverage {
            employee_id: m.employee_id.clone(),
            role: m.role,
            effective,
            leaving: m.last_working_day.is_some() && !gone,
            last_working_day: m.last_working_day,
            new_hire_until: settling.then_some(settled_from),
            backup_for: m.backup_for.clone(),
        });
    }
    let effective = members.iter().filter(|m| m.effective).count() as u32;
    let status = if effective < need.required {
        reasons.insert(
            0,
            CoverageReason::Short {
                effective,
                required: need.required,
            },
        );
        CoverageStatus::Breached
    } else if effective == 1 {
        if let Some(only) = members.iter().find(|m| m.effective) {
            reasons.insert(
                0,
                CoverageReason::OnlyOne {
                    employee_id: only.employee_id.clone(),
                },
            );
        }
        CoverageStatus::SinglePoint
    } else if !at_risk.is_empty() {
        CoverageStatus::AtRisk
    } else {
        CoverageStatus::Ok
    };
    // Risks are worth reading whatever the status: they say what comes next.
    reasons.extend(at_risk);
    DepartmentCoverage {
        code: need.code.clone(),
        key: need.key,
        required: need.required,
        effective,
        status,
        members,
        reasons,
    }
}

#[cfg(test)]
mod tests;
