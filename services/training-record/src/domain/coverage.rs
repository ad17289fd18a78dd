//! Training coverage of a project: per session, who of its audience attended or completed
//! its materials; per person, the share of the required sessions meant for them that is
//! done.

use std::collections::{BTreeMap, HashMap, HashSet};

use continuity_contract::{DepartmentCode, EmployeeId};

use super::catchup::{MaterialUse, session_state};
use super::ids::SessionId;
use super::session::TrainingSession;

/// Someone who may be in a session's audience.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub employee_id: EmployeeId,
    pub department_code: DepartmentCode,
}

/// One person of a session's audience and how far they are with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    pub employee_id: EmployeeId,
    pub department_code: DepartmentCode,
    pub attended: bool,
    /// The share of the session's materials watched or read (0 to 1), attendance aside.
    pub watched_share: f64,
    /// Attended, or completed the recordings (the catch-up rule).
    pub done: bool,
}

/// One session and its audience.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionCoverage {
    pub session: TrainingSession,
    pub audience: u32,
    pub attended: u32,
    pub done: u32,
    /// The audience, by employee id.
    pub people: Vec<Participant>,
}

/// One person's share of the project's required sessions meant for their department.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonCoverage {
    pub employee_id: EmployeeId,
    pub department_code: DepartmentCode,
    pub sessions_required: u32,
    pub sessions_done: u32,
    /// `sessions_done / sessions_required`; 1 when nothing is required of them.
    pub share_done: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    pub sessions: Vec<SessionCoverage>,
    pub people: Vec<PersonCoverage>,
}

/// The coverage of `sessions` (required and optional) for `people` (the active
/// employees of the audience departments). `attended` holds (session, employee) pairs
/// recorded as attended; `uses` each person's use of each session's materials.
/// Sessions come out oldest first (then by id), people by employee id.
pub fn coverage(
    sessions: Vec<TrainingSession>,
    people: &[Person],
    attended: &HashSet<(SessionId, EmployeeId)>,
    uses: &HashMap<(SessionId, EmployeeId), Vec<MaterialUse>>,
) -> Coverage {
    let mut sessions = sessions;
    sessions.sort_by_key(|s| (s.held_on, s.session_id));
    let mut per_person: BTreeMap<EmployeeId, PersonCoverage> = BTreeMap::new();
    let mut sorted: Vec<&Person> = people.iter().collect();
    sorted.sort_by(|a, b| a.employee_id.cmp(&b.employee_id));
    sorted.dedup_by(|a, b| a.employee_id == b.employee_id);
    let mut out = Vec::with_capacity(sessions.len());
    for s in sessions {
        let mut c = SessionCoverage {
            audience: 0,
            attended: 0,
            done: 0,
            people: Vec::new(),
            session: s,
        };
        for p in sorted
            .iter()
            .filter(|p| c.session.is_for(&p.department_code))
        {
            let key = (c.session.session_id, p.employee_id.clone());
            let was_there = attended.contains(&key);
            let used: &[MaterialUse] = uses.get(&key).map(Vec::as_slice).unwrap_or(&[]);
            let state = session_state(was_there, used);
            let watched = session_state(false, used);
            c.audience += 1;
            c.attended += u32::from(was_there);
            c.done += u32::from(state.done);
            if c.session.required {
                let pc =
                    per_person
                        .entry(p.employee_id.clone())
                        .or_insert_with(|| PersonCoverage {
                            employee_id: p.employee_id.clone(),
                            department_code: p.department_code.clone(),
                            sessions_required: 0,
                            sessions_done: 0,
                            share_done: 1.0,
                        });
                pc.sessions_required += 1;
                pc.sessions_done += u32::from(state.done);
            }
            c.people.push(Participant {
                employee_id: p.employee_id.clone(),
                department_code: p.department_code.clone(),
                attended: was_there,
                watched_share: watched.share,
                done: state.done,
            });
        }
        out.push(c);
    }
    // Everyone of an audience is listed, also when only optional sessions are theirs.
    for p in &sorted {
        if out
            .iter()
            .any(|c| c.people.iter().any(|x| x.employee_id == p.employee_id))
        {
            per_person
                .entry(p.employee_id.clone())
                .or_insert_with(|| PersonCoverage {
                    employee_id: p.employee_id.clone(),
                    department_code: p.department_code.clone(),
                    sessions_required: 0,
                    sessions_done: 0,
                    share_done: 1.0,
                });
        }
    }
    let people = per_person
        .into_values()
        .map(|mut p| {
            if p.sessions_required > 0 {
                p.share_done = f64::from(p.sessions_done) / f64::from(p.sessions_required);
            }
            p
        })
        .collect();
    Coverage {
        sessions: out,
        people,
    }
}

/// A CSV cell that a spreadsheet will not read as a formula.
pub fn csv_safe(raw: &str) -> String {
    match raw.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{raw}"),
        _ => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use continuity_contract::ProjectId;

    use super::*;
    use crate::domain::material::MaterialKind;
    use crate::domain::session::SessionDraft;

    fn dept(code: &str) -> DepartmentCode {
        DepartmentCode::parse(code).unwrap()
    }

    fn person(id: &str, d: &str) -> Person {
        Person {
            employee_id: EmployeeId::parse(id).unwrap(),
            department_code: dept(d),
        }
    }

    fn session(day: u32, required: bool, departments: &[&str]) -> TrainingSession {
        TrainingSession::new(
            SessionId::new(),
            ProjectId::new(),
            SessionDraft {
                title: format!("S{day}"),
                module: "m".into(),
                held_on: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
                trainer: "T".into(),
                duration_minutes: 60,
                departments: departments.iter().map(|d| dept(d)).collect(),
                description: String::new(),
                required,
            },
        )
        .unwrap()
    }

    fn video(share: f64, done: bool) -> Vec<MaterialUse> {
        vec![MaterialUse {
            kind: MaterialKind::Video,
            share,
            done,
        }]
    }

    #[test]
    fn each_session_counts_its_audience_and_each_person_the_required_sessions_done() {
        let (a, b, opt) = (
            session(2, true, &["sales"]),
            session(3, true, &["sales", "it"]),
            session(1, false, &["it"]),
        );
        let people = [
            person("E2", "sales"),
            person("E1", "sales"),
            person("E3", "it"),
        ];
        let e = |id: &str| EmployeeId::parse(id).unwrap();
        let attended = HashSet::from([(a.session_id, e("E1")), (opt.session_id, e("E3"))]);
        let uses = HashMap::from([
            ((b.session_id, e("E1")), video(0.95, true)),
            ((b.session_id, e("E2")), video(0.5, false)),
        ]);
        let c = coverage(
            vec![b.clone(), a.clone(), opt.clone()],
            &people,
            &attended,
            &uses,
        );

        let order: Vec<_> = c.sessions.iter().map(|s| s.session.session_id).collect();
        assert_eq!(order, [opt.session_id, a.session_id, b.session_id]);
        let counts: Vec<_> = c
            .sessions
            .iter()
            .map(|s| (s.audience, s.attended, s.done))
            .collect();
        assert_eq!(counts, [(1, 1, 1), (2, 1, 1), (3, 0, 1)]);
        let half = &c.sessions[2].people[1];
        assert_eq!(
            (
                half.employee_id.as_str(),
                half.attended,
                half.watched_share,
                half.done
            ),
            ("E2", false, 0.5, false)
        );

        let shares: Vec<_> = c
            .people
            .iter()
            .map(|p| {
                (
                    p.employee_id.as_str().to_owned(),
                    p.sessions_done,
                    p.sessions_required,
                    p.share_done,
                )
            })
            .collect();
        assert_eq!(
            shares,
            [
                ("E1".to_owned(), 2, 2, 1.0),
                ("E2".to_owned(), 0, 2, 0.0),
                ("E3".to_owned(), 0, 1, 0.0),
            ]
        );
    }

    #[test]
    fn someone_with_only_optional_sessions_has_nothing_required_and_a_full_share() {
        let opt = session(1, false, &["it"]);
        let c = coverage(
            vec![opt],
            &[person("E3", "it"), person("E9", "hr")],
            &HashSet::new(),
            &HashMap::new(),
        );
        assert_eq!(c.people.len(), 1);
        assert_eq!(
            (c.people[0].sessions_required, c.people[0].share_done),
            (0, 1.0)
        );
        assert_eq!(c.sessions[0].people.len(), 1);
    }

    #[test]
    fn cells_that_a_spreadsheet_would_read_as_formulas_are_quoted() {
        assert_eq!(csv_safe("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_safe("+1"), "'+1");
        assert_eq!(csv_safe("-1"), "'-1");
        assert_eq!(csv_safe("@x"), "'@x");
        assert_eq!(csv_safe("Leads"), "Leads");
        assert_eq!(csv_safe(""), "");
    }
}
