//! Training coverage of a project, read from sessions, attendance, progress and the
//! roster copy (the audience: active employees of each session's departments).

use std::collections::{HashMap, HashSet};

use continuity_contract::{EmployeeId, ProjectId};
use continuity_shared::db::Db;
use continuity_shared::roster::read as roster;

use super::errors::TrainingResult;
use crate::db::{attendance, materials, progress, sessions};
use crate::domain::catchup::{MaterialUse, material_use};
use crate::domain::coverage::{self, Coverage, Person};
use crate::domain::ids::SessionId;
use crate::domain::session::TrainingSession;

/// The coverage of every session of `project`; 404 for a project not in the roster copy.
pub async fn get(db: &Db, project: ProjectId) -> TrainingResult<Coverage> {
    db.read(move |conn| {
        super::sessions::require_project(conn, &project)?;
        let all: Vec<TrainingSession> = sessions::of_project(conn, &project)?
            .into_iter()
            .map(|v| v.value)
            .collect();
        let mut departments: Vec<_> = all.iter().flat_map(|s| s.departments.clone()).collect();
        departments.sort();
        departments.dedup();
        let people: Vec<Person> = roster::active_employees_in(conn, &departments)?
            .into_iter()
            .map(|e| Person {
                employee_id: e.employee_id,
                department_code: e.department_code,
            })
            .collect();
        let ids: Vec<String> = all.iter().map(|s| s.session_id.to_string()).collect();
        let by_id: HashMap<String, &TrainingSession> =
            all.iter().map(|s| (s.session_id.to_string(), s)).collect();

        let mut attended: HashSet<(SessionId, EmployeeId)> = HashSet::new();
        for chunk in ids.chunks(500) {
            for (s, e) in attendance::attendees(conn, chunk)? {
                if let (Some(s), Ok(e)) = (by_id.get(&s), EmployeeId::parse(&e)) {
                    attended.insert((s.session_id, e));
                }
            }
        }

        let mut mats = Vec::new();
        for chunk in ids.chunks(500) {
            mats.extend(materials::of_sessions(conn, chunk)?);
        }
        // Each material counts for each person of its session's audience: unused ones too.
        let mut uses: HashMap<(SessionId, EmployeeId), Vec<MaterialUse>> = HashMap::new();
        let mut used: HashMap<(String, String), (f64, bool)> = HashMap::new();
        let mids: Vec<String> = mats.iter().map(|m| m.material_id.to_string()).collect();
        for chunk in mids.chunks(500) {
            for (m, e, seconds, done) in progress::of_materials(conn, chunk)? {
                used.insert((m, e), (seconds, done));
            }
        }
        for m in &mats {
            let Some(s) = by_id.get(&m.session_id.to_string()) else {
                continue;
            };
            let mid = m.material_id.to_string();
            for p in people.iter().filter(|p| s.is_for(&p.department_code)) {
                let progress = used
                    .get(&(mid.clone(), p.employee_id.as_str().to_owned()))
                    .copied();
                uses.entry((s.session_id, p.employee_id.clone()))
                    .or_default()
                    .push(material_use(m, s, progress));
            }
        }
        Ok(coverage::coverage(all, &people, &attended, &uses))
    })
    .await
}
