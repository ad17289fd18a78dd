//! A project's curriculum (its sessions, each with its audience and its materials) and what
//! one person did of it; a person's catch-up plan is computed from the two. The curriculum
//! is the same for everyone on the project, so it is read once and shared; only the
//! person's record is read for each plan.

use std::collections::HashMap;
use std::sync::Arc;

use continuity_contract::DepartmentCode;

use super::catchup::{self, MaterialUse, Plan, session_state};
use super::ids::{MaterialId, SessionId};
use super::material::Material;
use super::session::TrainingSession;

/// One session with its materials. The session is shared with the plans built from it,
/// instead of each plan copying every session (its strings and its audience) on every read.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    pub session: Arc<TrainingSession>,
    pub materials: Vec<Material>,
}

/// Every session of a project with its materials.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Curriculum {
    lessons: Vec<Lesson>,
    /// For each department, the positions of its required lessons: a plan is computed
    /// for every catch-up read, the curriculum once per change, so the audiences are
    /// searched here once instead of in every plan.
    required: HashMap<DepartmentCode, Vec<usize>>,
}

impl Curriculum {
    /// Each of `sessions` (in the order given) with its materials of `materials` (in the
    /// order given); a material of another session is left out.
    pub fn new(sessions: Vec<TrainingSession>, materials: Vec<Material>) -> Self {
        let mut by_session: HashMap<SessionId, Vec<Material>> = HashMap::new();
        for m in materials {
            by_session.entry(m.session_id).or_default().push(m);
        }
        let lessons = sessions
            .into_iter()
            .map(|session| Lesson {
                materials: by_session.remove(&session.session_id).unwrap_or_default(),
                session: Arc::new(session),
            })
            .collect::<Vec<_>>();
        let mut required: HashMap<DepartmentCode, Vec<usize>> = HashMap::new();
        for (i, l) in lessons.iter().enumerate() {
            if l.session.required {
                for d in &l.session.departments {
                    required.entry(d.clone()).or_default().push(i);
                }
            }
        }
        Self { lessons, required }
    }

    pub fn lessons(&self) -> &[Lesson] {
        &self.lessons
    }

    /// The required sessions whose audience holds `department`.
    pub fn required_for<'a>(
        &'a self,
        department: &'a DepartmentCode,
    ) -> impl Iterator<Item = &'a Lesson> + 'a {
        self.required
            .get(department)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.lessons.get(i))
    }
}

/// What one person did on a project: the sessions they attended, and their progress on
/// each material they used (watched seconds, done). Hashed with foldhash: these are
/// looked up for every session of every catch-up plan read, where SipHash's protection
/// against chosen keys buys nothing (the keys are ids this service made).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonRecord {
    pub attended: foldhash::HashSet<SessionId>,
    pub used: foldhash::HashMap<MaterialId, (f64, bool)>,
}

/// The person's plan: the state of each required session of their department.
pub fn plan_for(
    curriculum: &Curriculum,
    department: &DepartmentCode,
    person: &PersonRecord,
) -> Plan {
    let mut states = Vec::new();
    // One list of uses for every lesson: a plan is computed for every catch-up read.
    let mut uses: Vec<MaterialUse> = Vec::new();
    for l in curriculum.required_for(department) {
        uses.clear();
        uses.extend(l.materials.iter().map(|m| {
            let used = person.used.get(&m.material_id).copied();
            catchup::material_use(m, &l.session, used)
        }));
        let attended = person.attended.contains(&l.session.session_id);
        states.push((l.session.clone(), session_state(attended, &uses)));
    }
    catchup::plan(states)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use continuity_contract::ProjectId;

    use super::*;
    use crate::domain::material::{Content, MaterialKind};
    use crate::domain::session::SessionDraft;

    fn dept(code: &str) -> DepartmentCode {
        DepartmentCode::parse(code).unwrap()
    }

    fn session(day: u32, departments: &[&str], required: bool) -> TrainingSession {
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

    fn recording(of: &TrainingSession) -> Material {
        Material {
            material_id: MaterialId::new(),
            session_id: of.session_id,
            kind: MaterialKind::Video,
            filename: "rec.webm".into(),
            content: Content::Link {
                url: "https://video.example.com/v/1".into(),
            },
            duration_seconds: Some(3600),
        }
    }

    #[test]
    fn materials_go_with_their_session_and_strays_are_left_out() {
        let (a, b) = (session(1, &["sales"], true), session(2, &["sales"], true));
        let (ma, stray) = (recording(&a), recording(&session(3, &["it"], true)));
        let c = Curriculum::new(vec![a.clone(), b.clone()], vec![stray, ma.clone()]);
        let lessons: Vec<_> = c
            .lessons()
            .iter()
            .map(|l| (l.session.session_id, l.materials.len()))
            .collect();
        assert_eq!(lessons, [(a.session_id, 1), (b.session_id, 0)]);
        assert_eq!(c.lessons()[0].materials[0], ma);
    }

    #[test]
    fn a_plan_counts_only_required_sessions_of_the_department_with_what_the_person_did() {
        let attended = session(1, &["sales"], true);
        let half = session(2, &["sales", "it"], true);
        let untouched = session(3, &["sales"], true);
        let optional = session(4, &["sales"], false);
        let other = session(5, &["it"], true);
        let rec = recording(&half);
        let c = Curriculum::new(
            vec![
                attended.clone(),
                half.clone(),
                untouched.clone(),
                optional,
                other,
            ],
            vec![rec.clone()],
        );
        let person = PersonRecord {
            attended: [attended.session_id].into_iter().collect(),
            used: [(rec.material_id, (1800.0, false))].into_iter().collect(),
        };
        let p = plan_for(&c, &dept("sales"), &person);
        assert_eq!((p.sessions_done, p.sessions_required), (1, 3));
        let left: Vec<_> = p
            .items
            .iter()
            .map(|i| (i.session.session_id, i.minutes_left))
            .collect();
        assert_eq!(left, [(half.session_id, 30), (untouched.session_id, 60)]);
    }

    #[test]
    fn each_department_finds_its_required_sessions_in_curriculum_order() {
        let both = session(1, &["it", "sales"], true);
        let sales = session(2, &["sales"], true);
        let optional = session(3, &["it", "sales"], false);
        let it = session(4, &["it"], true);
        let c = Curriculum::new(
            vec![both.clone(), sales.clone(), optional, it.clone()],
            vec![],
        );
        let ids = |d: &str| -> Vec<SessionId> {
            c.required_for(&dept(d))
                .map(|l| l.session.session_id)
                .collect()
        };
        assert_eq!(ids("sales"), [both.session_id, sales.session_id]);
        assert_eq!(ids("it"), [both.session_id, it.session_id]);
        assert!(ids("quality").is_empty());
    }

    #[test]
    fn someone_who_did_nothing_has_every_required_session_left() {
        let c = Curriculum::new(vec![session(1, &["it"], true)], vec![]);
        let p = plan_for(&c, &dept("it"), &PersonRecord::default());
        assert_eq!(
            (p.sessions_done, p.sessions_required, p.items.len()),
            (0, 1, 1)
        );
        let p = plan_for(&c, &dept("sales"), &PersonRecord::default());
        assert_eq!((p.sessions_done, p.sessions_required), (0, 0));
    }
}
