//! Handovers: a leaver's place on a project passed to a successor. The rules for the due
//! date, the proposed successor, the status and completion, free of I/O.

use chrono::{Days, NaiveDate};
use continuity_contract::{
    DepartmentCode, EmployeeId, EmployeeStatus, HandoverId, HandoverPart, HandoverStatus,
    ProjectId, TeamRole,
};
use continuity_shared::i18n::Text;
use continuity_shared::text;

use super::coverage::{CoverageRules, MemberFacts};

/// The settings a handover's due date is read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandoverRules {
    /// A last working day closer than this many days leaves too little time...
    pub min_notice_days: u32,
    /// ...so the successor gets this many days from the opening instead.
    pub grace_days: u32,
}

impl Default for HandoverRules {
    fn default() -> Self {
        Self {
            min_notice_days: 7,
            grace_days: 14,
        }
    }
}

impl HandoverRules {
    /// The leaver's last working day, or `grace_days` after the opening when that day is
    /// less than `min_notice_days` away.
    pub fn due_date(&self, last_working_day: NaiveDate, opened_on: NaiveDate) -> NaiveDate {
        let soon = opened_on
            .checked_add_days(Days::new(self.min_notice_days.into()))
            .unwrap_or(NaiveDate::MAX);
        if last_working_day < soon {
            opened_on
                .checked_add_days(Days::new(self.grace_days.into()))
                .unwrap_or(NaiveDate::MAX)
        } else {
            last_working_day
        }
    }
}

/// How far one part of a handover has got, as its service last reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PartProgress {
    pub done: u32,
    pub required: u32,
}

impl PartProgress {
    pub fn is_done(&self) -> bool {
        self.done >= self.required
    }
}

/// A handover; serialized as the audit trail records it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Handover {
    pub handover_id: HandoverId,
    pub project_id: ProjectId,
    pub leaver_employee_id: EmployeeId,
    pub department_code: DepartmentCode,
    /// The leaver's role on the team, which the successor takes.
    pub role: TeamRole,
    pub last_working_day: NaiveDate,
    pub due_date: NaiveDate,
    pub status: HandoverStatus,
    pub proposed_successor: Option<EmployeeId>,
    pub proposal: ProposalKind,
    pub successor: Option<EmployeeId>,
    pub training: Option<PartProgress>,
    pub acknowledgments: Option<PartProgress>,
    pub forced: bool,
    /// Why it was cancelled, or why its completion was forced.
    pub closing_reason: Option<String>,
}

/// Why a handover cannot move as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandoverRefusal {
    Closed(HandoverStatus),
    NoSuccessor,
    PartsNotDone(Vec<HandoverPart>),
}

impl HandoverRefusal {
    pub fn text(&self) -> Text {
        match self {
            Self::Closed(s) => text!("the handover is {s}", "交接已是 {s} 状态"),
            Self::NoSuccessor => text!("the handover has no successor yet", "交接尚未指定接任者"),
            Self::PartsNotDone(parts) => {
                let parts: Vec<&str> = parts.iter().map(|p| p.as_str()).collect();
                let parts = parts.join(", ");
                text!(
                    "not done yet: {parts}; a manager may force completion with a reason",
                    "尚未完成：{parts}；经理可填写原因强制完成"
                )
            }
        }
    }
}

impl Handover {
    /// Assigns `successor`: from `open`, or again (a different person) before completion.
    pub fn assign(&mut self, successor: EmployeeId) -> Result<(), HandoverRefusal> {
        if self.status.is_closed() {
            return Err(HandoverRefusal::Closed(self.status));
        }
        self.successor = Some(successor);
        if self.status == HandoverStatus::Open {
            self.status = HandoverStatus::SuccessorAssigned;
        }
        Ok(())
    }

    /// Records the latest report of one part; the first report after an assignment starts
    /// the handover. Reports on a closed handover change nothing (false).
    pub fn progress(&mut self, part: HandoverPart, progress: PartProgress) -> bool {
        if self.status.is_closed() {
            return false;
        }
        let slot = match part {
            HandoverPart::Training => &mut self.training,
            HandoverPart::Acknowledgments => &mut self.acknowledgments,
        };
        if *slot == Some(progress) && self.status != HandoverStatus::SuccessorAssigned {
            return false;
        }
        *slot = Some(progress);
        if self.status == HandoverStatus::SuccessorAssigned {
            self.status = HandoverStatus::InProgress;
        }
        true
    }

    /// The parts not done yet (a part never reported is not done).
    pub fn parts_left(&self) -> Vec<HandoverPart> {
        [
            (HandoverPart::Training, self.training),
            (HandoverPart::Acknowledgments, self.acknowledgments),
        ]
        .into_iter()
        .filter(|(_, p)| !p.is_some_and(|p| p.is_done()))
        .map(|(part, _)| part)
        .collect()
    }

    /// Completes the handover: both parts done, or `forced` with a reason (the caller
    /// checks that only a manager forces).
    pub fn complete(&mut self, forced: Option<String>) -> Result<(), HandoverRefusal> {
        if self.status.is_closed() {
            return Err(HandoverRefusal::Closed(self.status));
        }
        if self.successor.is_none() {
            return Err(HandoverRefusal::NoSuccessor);
        }
        let left = self.parts_left();
        if !left.is_empty() && forced.is_none() {
            return Err(HandoverRefusal::PartsNotDone(left));
        }
        self.forced = !left.is_empty();
        self.closing_reason = forced;
        self.status = HandoverStatus::Completed;
        Ok(())
    }

    /// Cancels the handover (the resignation was rescinded); false when already closed.
    pub fn cancel(&mut self, reason: &str) -> bool {
        if self.status.is_closed() {
            return false;
        }
        self.status = HandoverStatus::Cancelled;
        self.closing_reason = Some(reason.to_owned());
        true
    }
}

/// How the proposed successor was found, in the order tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalKind {
    /// The successor HR named with the resignation.
    NamedByHr,
    /// The leaver's designated backup, effective on the team.
    Backup,
    /// Another effective member of the same department on the team.
    SameDepartment,
    /// The department colleague off the team with most of the project's training done.
    MostTrained,
    /// The longest-serving department colleague off the team (no training reported yet).
    LongestServing,
    /// Nobody fits.
    None,
}

impl ProposalKind {
    pub const ALL: [Self; 6] = [
        Self::NamedByHr,
        Self::Backup,
        Self::SameDepartment,
        Self::MostTrained,
        Self::LongestServing,
        Self::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NamedByHr => "named_by_hr",
            Self::Backup => "backup",
            Self::SameDepartment => "same_department",
            Self::MostTrained => "most_trained",
            Self::LongestServing => "longest_serving",
            Self::None => "none",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// HR's named successor and an effective backup are assigned at once; any other
    /// proposal waits for a manager.
    pub fn assigns_at_once(self) -> bool {
        matches!(self, Self::NamedByHr | Self::Backup)
    }

    pub fn text(self) -> Text {
        match self {
            Self::NamedByHr => text!("the successor HR named", "HR 指定的接任者"),
            Self::Backup => text!("the leaver's designated backup", "离职者指定的备份"),
            Self::SameDepartment => text!(
                "another effective member of the department on the team",
                "团队中同部门的另一名有效成员"
            ),
            Self::MostTrained => text!(
                "the department colleague with most of the project's training",
                "完成项目培训最多的部门同事"
            ),
            Self::LongestServing => text!(
                "the longest-serving department colleague (no training reported yet)",
                "司龄最长的部门同事（尚无培训记录）"
            ),
            Self::None => text!(
                "nobody in the department is available: a manager must assign a successor",
                "部门中无人可接任：需经理指定接任者"
            ),
        }
    }
}

/// An employee who could succeed the leaver, with what the choice needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub employee_id: EmployeeId,
    pub department_code: DepartmentCode,
    pub status: EmployeeStatus,
    pub hire_date: NaiveDate,
    pub last_working_day: Option<NaiveDate>,
    /// Sessions of the project's training done (0 when none reported).
    pub sessions_done: u32,
}

/// Everything the proposal is made from.
pub struct ProposalFacts<'a> {
    pub leaver: &'a EmployeeId,
    /// The leaver's department on the team.
    pub department: &'a DepartmentCode,
    /// The successor HR named, if the employee is known.
    pub named_by_hr: Option<&'a Candidate>,
    /// The project's team.
    pub team: &'a [MemberFacts],
    /// Active employees of the department who are not on the team.
    pub colleagues: &'a [Candidate],
    pub today: NaiveDate,
}

/// The successor to propose, and how they were found.
pub fn propose(facts: &ProposalFacts, rules: &CoverageRules) -> (Option<EmployeeId>, ProposalKind) {
    let settled = |hire: NaiveDate| rules.settled_from(hire) <= facts.today;
    if let Some(c) = facts.named_by_hr
        && c.status == EmployeeStatus::Active
        && c.employee_id != *facts.leaver
        && settled(c.hire_date)
    {
        return (Some(c.employee_id.clone()), ProposalKind::NamedByHr);
    }
    let effective = |m: &&MemberFacts| {
        m.employee_id != *facts.leaver
            && m.joined_on <= facts.today
            && settled(m.hire_date)
            && m.last_working_day.is_none_or(|d| facts.today <= d)
    };
    // Among equals, someone who is not leaving themselves, then the longest-serving.
    let best = |a: &&MemberFacts| {
        (
            a.last_working_day.is_some(),
            a.hire_date,
            a.employee_id.clone(),
        )
    };
    if let Some(b) = facts
        .team
        .iter()
        .filter(effective)
        .filter(|m| m.backup_for.as_ref() == Some(facts.leaver))
        .min_by_key(best)
    {
        return (Some(b.employee_id.clone()), ProposalKind::Backup);
    }
    if let Some(m) = facts
        .team
        .iter()
        .filter(effective)
        .filter(|m| m.department_code == *facts.department)
        .min_by_key(best)
    {
        return (Some(m.employee_id.clone()), ProposalKind::SameDepartment);
    }
    let outside: Vec<&Candidate> = facts
        .colleagues
        .iter()
        .filter(|c| {
            c.employee_id != *facts.leaver
                && c.status == EmployeeStatus::Active
                && c.department_code == *facts.department
                && settled(c.hire_date)
                && facts.team.iter().all(|m| m.employee_id != c.employee_id)
        })
        .collect();
    let trained = outside
        .iter()
        .filter(|c| c.sessions_done > 0)
        .min_by_key(|c| {
            (
                std::cmp::Reverse(c.sessions_done),
                c.hire_date,
                c.employee_id.clone(),
            )
        });
    if let Some(c) = trained {
        return (Some(c.employee_id.clone()), ProposalKind::MostTrained);
    }
    match outside
        .iter()
        .min_by_key(|c| (c.hire_date, c.employee_id.clone()))
    {
        Some(c) => (Some(c.employee_id.clone()), ProposalKind::LongestServing),
        None => (None, ProposalKind::None),
    }
}

#[cfg(test)]
mod tests;
