//! What scoring a plan needs, read once per request: the project's team from the roster
//! copy, the key departments' minimums, the resignation and hiring peaks in real dates, and
//! each department's daily hazard (its seasonal rates, shrunk toward the company's).

use chrono::{Days, NaiveDate};
use continuity_contract::{DepartmentCode, EmployeeId, EmployeeStatus, ProjectId};
use continuity_shared::db::DbConnection;
use continuity_shared::i18n::Text;
use continuity_shared::roster::{CopiedProject, read};
use continuity_shared::text;

use super::seasonality::{SeasonalityQuery, compute, window};
use super::{SchError, SchResult};
use crate::db::spells;
use crate::domain::montecarlo::{Estimate, Member, Team, seed_of};
use crate::domain::periods::Basis;
use crate::domain::seasonality::{DAYS_PER_MONTH, Kind, Seasonality, Span, shrink};
use crate::domain::window::{
    PeakDates, Plan, RuleCheck, implementation_avoids_peaks, settles_after_start,
    stabilization_before_next_peak, start_after_settling_in,
};

#[derive(Debug, Clone, Copy)]
pub struct ScoringSettings {
    pub settling_in_days: u32,
    pub hiring_delay_days: u32,
    pub draws: u32,
}

#[derive(Debug, Clone)]
struct TeamMember {
    employee_id: EmployeeId,
    department: DepartmentCode,
    hire_date: Option<NaiveDate>,
    last_working_day: Option<NaiveDate>,
}

/// A newcomer on the team still settling in at the start.
#[derive(Debug, Clone, PartialEq)]
pub struct Unsettled {
    pub employee_id: EmployeeId,
    pub hire_date: NaiveDate,
    pub settled_on: NaiveDate,
}

#[derive(Debug, Clone)]
pub struct Scored {
    pub plan: Plan,
    pub rules: Vec<RuleCheck>,
    pub unsettled: Vec<Unsettled>,
    pub expected_departures: f64,
    pub estimate: Estimate,
}

impl Scored {
    pub fn broken(&self) -> usize {
        self.rules.iter().filter(|r| !r.met).count()
    }

    /// The reasons in words: the broken rules first, then the flags, then what is met.
    pub fn reasons(&self) -> Vec<Text> {
        let mut out: Vec<Text> = self
            .rules
            .iter()
            .filter(|r| !r.met)
            .map(|r| r.reason.clone())
            .collect();
        for u in &self.unsettled {
            let (id, hired, settled) = (&u.employee_id, u.hire_date, u.settled_on);
            out.push(text!(
                "Team member {id} was hired on {hired} and is still settling in until {settled}.",
                "项目成员 {id} 于 {hired} 入职，到 {settled} 前仍处于适应期。"
            ));
        }
        out.extend(
            self.rules
                .iter()
                .filter(|r| r.met)
                .map(|r| r.reason.clone()),
        );
        let (n, p) = (self.expected_departures, self.estimate.probability * 100.0);
        out.push(text!(
            "Expected departures from the team: {n:.2}; probability that a key department falls below its minimum: {p:.1}%.",
            "预计团队离职人数：{n:.2}；关键部门人数低于最低要求的概率：{p:.1}%。"
        ));
        out
    }
}

/// Everything a plan is scored against.
pub struct Scoring {
    pub project: CopiedProject,
    pub basis: Basis,
    pub departure_peaks: Vec<PeakDates>,
    pub hiring_peaks: Vec<PeakDates>,
    pub settings: ScoringSettings,
    members: Vec<TeamMember>,
    /// Key departments' codes and minimums.
    pub key_departments: Vec<(DepartmentCode, u32)>,
    /// Per team department: the daily hazard from `horizon_start`, cumulated.
    departments: Vec<DepartmentCode>,
    cumulative: Vec<Vec<f64>>,
    horizon_start: NaiveDate,
}

fn out_of_calendar() -> SchError {
    SchError::Invalid(vec![continuity_shared::FieldError::new(
        "latest_go_live",
        text!(
            "dates must lie within 1901-2100",
            "日期须在 1901-2100 年之间"
        ),
    )])
}

fn peak_dates(s: &Seasonality, from: NaiveDate, to: NaiveDate) -> Vec<PeakDates> {
    let mut out: Vec<PeakDates> = s
        .peaks()
        .into_iter()
        .flat_map(|p| {
            s.basis
                .occurrences(p, from, to)
                .into_iter()
                .map(move |(a, b)| PeakDates {
                    from: a,
                    to: b,
                    label: s.basis.label(p),
                })
        })
        .collect();
    out.sort_by_key(|p| p.from);
    out
}

impl Scoring {
    /// Reads the project, its team and the history; plans are scored between
    /// `horizon_start` and `horizon_end`.
    pub fn load(
        conn: &mut DbConnection,
        project: ProjectId,
        horizon_start: NaiveDate,
        horizon_end: NaiveDate,
        settings: ScoringSettings,
        today: NaiveDate,
    ) -> SchResult<Self> {
        let project = read::project(conn, &project)?.ok_or(SchError::ProjectNotFound(project))?;
        let mut members = Vec::new();
        for m in read::members_of(conn, &project.project_id)? {
            let e = read::employee(conn, &m.employee_id)?;
            let leaving = e.as_ref().filter(|e| e.status != EmployeeStatus::Active);
            members.push(TeamMember {
                employee_id: m.employee_id.clone(),
                department: m.department_code.clone(),
                hire_date: e.as_ref().and_then(|e| e.hire_date),
                last_working_day: leaving.and_then(|e| e.last_working_day),
            });
        }
        let key_departments = read::key_departments(conn)?
            .into_iter()
            .map(|d| (d.code, d.min_project_members))
            .collect();
        // The history: the default window, company-wide, on the basis that explains it better.
        let q = SeasonalityQuery {
            department: None,
            basis: None,
            kind: Kind::Departures,
            from: None,
            to: None,
        };
        let (from, to) = window(&q, today, spells::first_date(conn)?)?;
        let all = spells::load(conn, None, from, to)?;
        let spans: Vec<Span> = all.iter().map(|s| s.span()).collect();
        let calendar = compute(&spans, Basis::Calendar, Kind::Departures, from, to)?;
        let company = match compute(&spans, Basis::SpringFestival, Kind::Departures, from, to) {
            Ok(f) if f.aic < calendar.aic => f,
            _ => calendar,
        };
        let basis = company.basis;
        let hires = compute(&spans, basis, Kind::Hires, from, to)?;
        let look_back = horizon_start
            .checked_sub_days(Days::new(400))
            .unwrap_or(horizon_start);
        let departure_peaks = peak_dates(
            &company,
            horizon_start,
            horizon_end
                .checked_add_days(Days::new(400))
                .unwrap_or(horizon_end),
        );
        let hiring_peaks = peak_dates(&hires, look_back, horizon_end);
        let mut departments: Vec<DepartmentCode> =
            members.iter().map(|m| m.department.clone()).collect();
        departments.sort();
        departments.dedup();
        let mut cumulative = Vec::new();
        for d in &departments {
            let mine: Vec<Span> = all
                .iter()
                .filter(|s| s.department == *d)
                .map(|s| s.span())
                .collect();
            let dept = compute(&mine, basis, Kind::Departures, from, to)?;
            let rates: Vec<f64> = shrink(&dept, &company)
                .periods
                .iter()
                .map(|p| p.0)
                .collect();
            let mut h = vec![0.0];
            let mut total = 0.0;
            for day in horizon_start.iter_days().take_while(|d| *d <= horizon_end) {
                let p = basis.period_of(day).map_err(|_| out_of_calendar())?;
                total += rates[p] / DAYS_PER_MONTH;
                h.push(total);
            }
            cumulative.push(h);
        }
        Ok(Self {
            project,
            basis,
            departure_peaks,
            hiring_peaks,
            settings,
            members,
            key_departments,
            departments,
            cumulative,
            horizon_start,
        })
    }

    /// The three rules, the newcomers flagged, and the team's risk over the plan.
    pub fn score(&self, plan: Plan) -> Scored {
        let s = self.settings;
        let rules = vec![
            implementation_avoids_peaks(&plan, &self.departure_peaks),
            start_after_settling_in(&plan, &self.hiring_peaks, s.settling_in_days),
            stabilization_before_next_peak(&plan, &self.departure_peaks),
        ];
        let unsettled = self
            .members
            .iter()
            .filter_map(|m| {
                let settled_on = settles_after_start(m.hire_date, plan.start, s.settling_in_days)?;
                Some(Unsettled {
                    employee_id: m.employee_id.clone(),
                    hire_date: m.hire_date?,
                    settled_on,
                })
            })
            .collect();
        let team = self.team(&plan);
        let seed = seed_of(&[
            &self.project.project_id.to_string(),
            &plan.start.to_string(),
            &plan.go_live.to_string(),
        ]);
        Scored {
            plan,
            rules,
            unsettled,
            expected_departures: team.expected_departures(),
            estimate: team.breach_probability(s.draws, seed),
        }
    }

    fn team(&self, plan: &Plan) -> Team {
        let offset = (plan.start - self.horizon_start).num_days().max(0) as usize;
        let days = ((plan.stabilization_end - plan.start).num_days() + 1).max(1) as usize;
        let cumulative_hazard = self
            .cumulative
            .iter()
            .map(|h| {
                let base = h.get(offset).copied().unwrap_or(0.0);
                (0..=days)
                    .map(|k| h.get(offset + k).or(h.last()).copied().unwrap_or(0.0) - base)
                    .collect()
            })
            .collect();
        let settle = i64::from(self.settings.settling_in_days);
        let members = self
            .members
            .iter()
            .map(|m| Member {
                department: self
                    .key_departments
                    .iter()
                    .position(|(c, _)| *c == m.department)
                    .unwrap_or(usize::MAX),
                counts_from: m
                    .hire_date
                    .map_or(0, |h| (h - plan.start).num_days() + settle),
                known_departure: m.last_working_day.map(|l| (l - plan.start).num_days() + 1),
                hazard: self
                    .departments
                    .iter()
                    .position(|d| *d == m.department)
                    .unwrap_or(0),
            })
            .collect();
        Team {
            days,
            minimums: self.key_departments.iter().map(|(_, m)| *m).collect(),
            members,
            cumulative_hazard,
            gap: i64::from(self.settings.hiring_delay_days) + settle,
        }
    }

    /// What the answer assumes, in words.
    pub fn assumptions(&self) -> Vec<Text> {
        let (delay, settle, draws) = (
            self.settings.hiring_delay_days,
            self.settings.settling_in_days,
            self.settings.draws,
        );
        vec![
            text!(
                "Each team member leaves at their department's seasonal rate (shrunk toward the company's pattern); a member already leaving leaves on their last working day.",
                "每位项目成员按其部门的季节性离职率离职（向公司整体模式收缩）；已提出离职的成员在最后工作日离开。"
            ),
            text!(
                "A leaver is replaced after {delay} days by a newcomer who counts once settled in ({settle} days) and does not leave again within the span.",
                "离职者在 {delay} 天后由新人接替，新人适应 {settle} 天后才计入，且在此期间不再离职。"
            ),
            text!(
                "A key department is breached on a day when its effective members are fewer than its minimum; the probability comes from {draws} seeded draws per candidate.",
                "关键部门某天的有效成员少于最低人数即为缺员；概率来自每个候选方案 {draws} 次固定种子的模拟。"
            ),
        ]
    }
}
