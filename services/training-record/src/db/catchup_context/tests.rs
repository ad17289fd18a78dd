//! The one-statement context against a real database (SQLite, or PostgreSQL when
//! CONTINUITY_TEST_POSTGRES_URL is set).

use continuity_contract::{DepartmentCode, EmployeeId, ProjectId};
use continuity_shared::db::{COMMON, Db, DbConnection};
use continuity_shared::roster;
use continuity_shared::settings::{DatabaseUrl, Settings};
use continuity_shared::testing::TestDatabase;
use diesel::connection::SimpleConnection;

use super::{Context, of};
use crate::domain::curriculum::PersonRecord;
use crate::domain::ids::{MaterialId, SessionId};

const P1: &str = "00000000-0000-4000-8000-000000000001";
const P2: &str = "00000000-0000-4000-8000-000000000002";
const H: [&str; 4] = [
    "00000000-0000-4000-8000-0000000000a1",
    "00000000-0000-4000-8000-0000000000a2",
    "00000000-0000-4000-8000-0000000000a3",
    "00000000-0000-4000-8000-0000000000a4",
];

async fn db(tdb: &TestDatabase) -> Db {
    let url = DatabaseUrl::parse(&tdb.url).unwrap();
    let settings = Settings::load_from("", None, Vec::new()).unwrap().database;
    tokio::task::spawn_blocking(move || {
        Db::open(
            &url,
            &settings,
            vec![COMMON, roster::MIGRATIONS, continuity_shared::migrations!()],
        )
    })
    .await
    .unwrap()
    .unwrap()
}

async fn context(db: &Db, project: &str, employee: &str) -> Context {
    let (project, employee) = (
        ProjectId::parse(project).unwrap(),
        EmployeeId::parse(employee).unwrap(),
    );
    db.read(move |conn| of(conn, &project, &employee))
        .await
        .unwrap()
}

const S: [&str; 3] = [
    "00000000-0000-4000-8000-0000000000b1",
    "00000000-0000-4000-8000-0000000000b2",
    "00000000-0000-4000-8000-0000000000b3",
];
const M: &str = "00000000-0000-4000-8000-0000000000c1";

fn session(id: &str, project: &str) -> String {
    format!(
        "INSERT INTO training_sessions (session_id, project_id, title, module, held_on, \
         trainer, duration_minutes, description, required, version, created_at, updated_at) \
         VALUES ('{id}', '{project}', 'T', 'm', '2030-01-01', 'W', 60, '', TRUE, 1, \
         '2030-01-01 00:00:00', '2030-01-01 00:00:00');"
    )
}

fn attendance(session: &str, employee: &str, attended: bool) -> String {
    format!(
        "INSERT INTO attendance (session_id, employee_id, attended, updated_at) VALUES \
         ('{session}', '{employee}', {attended}, '2030-01-01 00:00:00');"
    )
}

fn plan(handover: &str, project: &str, employee: &str, due: &str, active: bool) -> String {
    format!(
        "INSERT INTO catchup_plans (handover_id, project_id, employee_id, department_code, \
         due_date, active, reported_done, reported_required, overdue_reported, created_at, \
         updated_at) VALUES ('{handover}', '{project}', '{employee}', 'quality', '{due}', \
         {active}, 1, 3, FALSE, '2030-01-01 00:00:00', '2030-01-01 00:00:00');"
    )
}

#[actix_web::test]
async fn nothing_known_is_an_unknown_project_no_department_generation_zero_and_no_plans() {
    let tdb = TestDatabase::new();
    let db = db(&tdb).await;
    let c = context(&db, P1, "E1").await;
    assert_eq!(
        c,
        Context {
            project_known: false,
            roster_department: None,
            generation: 0,
            plans: Vec::new(),
            record: PersonRecord::default(),
        }
    );
}

#[actix_web::test]
async fn one_statement_gives_the_project_the_department_the_generation_and_only_active_plans_soonest_first()
 {
    let tdb = TestDatabase::new();
    let db = db(&tdb).await;
    let setup = [
        format!(
            "INSERT INTO roster_projects (project_id, name, status, updated_at, \
             stabilization_months) VALUES ('{P1}', 'CRM', 'planned', '2030-01-01 00:00:00', 3);"
        ),
        "INSERT INTO roster_employees (employee_id, name, department_code, status, updated_at) \
         VALUES ('E1', 'Li', 'sales', 'active', '2030-01-01 00:00:00');"
            .to_owned(),
        format!("INSERT INTO curriculum_generations (project_id, generation) VALUES ('{P1}', 3);"),
        plan(H[0], P1, "E1", "2030-03-01", true),
        plan(H[1], P1, "E1", "2030-02-01", true),
        plan(H[2], P1, "E1", "2030-01-15", false),
        plan(H[3], P2, "E1", "2030-01-10", true),
        session(S[0], P1),
        session(S[1], P2),
        session(S[2], P1),
        format!(
            "INSERT INTO materials (material_id, session_id, kind, filename, duration_seconds, \
             created_at) VALUES ('{M}', '{}', 'video', 'a.webm', 600, '2030-01-01 00:00:00');",
            S[0]
        ),
        // Attended on two projects, absent from a third session, someone else's attendance.
        attendance(S[0], "E1", true),
        attendance(S[1], "E1", true),
        attendance(S[2], "E1", false),
        attendance(S[2], "E2", true),
        format!(
            "INSERT INTO material_progress (material_id, employee_id, intervals, \
             watched_seconds, done, updated_at) VALUES ('{M}', 'E1', '[[0,120.5]]', 120.5, \
             FALSE, '2030-01-01 00:00:00');"
        ),
        plan(
            H[3].replace("a4", "a5").as_str(),
            P1,
            "E2",
            "2030-01-10",
            true,
        ),
    ]
    .concat();
    db.write(move |conn: &mut DbConnection| {
        conn.batch_execute(&setup)
            .map_err(continuity_shared::db::DbError::from)
    })
    .await
    .unwrap();

    let c = context(&db, P1, "E1").await;
    assert!(c.project_known);
    assert_eq!(
        c.roster_department,
        Some(DepartmentCode::parse("sales").unwrap())
    );
    assert_eq!(c.generation, 3);
    let plans: Vec<_> = c
        .plans
        .iter()
        .map(|p| {
            (
                p.handover_id.to_string(),
                p.due_date.to_string(),
                p.reported,
            )
        })
        .collect();
    assert_eq!(
        plans,
        [
            (H[1].to_owned(), "2030-02-01".to_owned(), Some((1, 3))),
            (H[0].to_owned(), "2030-03-01".to_owned(), Some((1, 3))),
        ]
    );
    assert!(
        c.plans
            .iter()
            .all(|p| p.active && p.department_code.as_str() == "quality")
    );
    let sessions = |ids: &[&str]| ids.iter().map(|s| SessionId::parse(s).unwrap()).collect();
    assert_eq!(
        c.record,
        PersonRecord {
            attended: sessions(&[S[0], S[1]]),
            used: [(MaterialId::parse(M).unwrap(), (120.5, false))]
                .into_iter()
                .collect(),
        }
    );

    // Someone the roster copy does not know, with a plan: no department, their plan.
    let c = context(&db, P1, "E2").await;
    assert_eq!(
        (c.project_known, c.roster_department, c.plans.len()),
        (true, None, 1)
    );
    assert_eq!(c.record.attended, sessions(&[S[2]]));
    // Another project: known to nobody, but the plan there is found.
    let c = context(&db, P2, "E1").await;
    assert_eq!(
        (c.project_known, c.generation, c.plans.len()),
        (false, 0, 1)
    );
}
