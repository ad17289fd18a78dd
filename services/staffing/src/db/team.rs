//! Team member rows and queries.

use chrono::{NaiveDate, NaiveDateTime};
use continuity_contract::{DepartmentCode, EmployeeId, ProjectId, TeamRole};
use continuity_shared::clock;
use continuity_shared::db::{CorruptRow, DbConnection, DbResult};
use continuity_shared::pagination::PageRequest;
use diesel::prelude::*;

use super::schema::{employees, team_members};
use crate::domain::Versioned;
use crate::domain::coverage::MemberFacts;
use crate::domain::team::TeamMember;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = team_members, treat_none_as_null = true)]
pub struct TeamMemberRow {
    pub project_id: String,
    pub employee_id: String,
    pub department_code: String,
    pub role: String,
    pub backup_for: Option<String>,
    pub joined_on: NaiveDate,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl TeamMemberRow {
    pub fn new(m: &Versioned<TeamMember>) -> Self {
        let v = &m.value;
        Self {
            project_id: v.project_id.to_string(),
            employee_id: v.employee_id.to_string(),
            department_code: v.department_code.to_string(),
            role: v.role.as_str().to_owned(),
            backup_for: v.backup_for.as_ref().map(ToString::to_string),
            joined_on: v.joined_on,
            version: m.version,
            created_at: m.created_at.naive_utc(),
            updated_at: m.updated_at.naive_utc(),
        }
    }
}

impl TryFrom<TeamMemberRow> for Versioned<TeamMember> {
    type Error = CorruptRow;

    fn try_from(r: TeamMemberRow) -> Result<Self, CorruptRow> {
        let key = format!("{}/{}", r.project_id, r.employee_id);
        let bad = |column| CorruptRow::new("team_members", &key, column);
        Ok(Versioned {
            value: TeamMember {
                project_id: ProjectId::parse(&r.project_id).map_err(|_| bad("project_id"))?,
                employee_id: EmployeeId::parse(&r.employee_id).map_err(|_| bad("employee_id"))?,
                department_code: DepartmentCode::parse(&r.department_code)
                    .map_err(|_| bad("department_code"))?,
                role: TeamRole::parse(&r.role).ok_or_else(|| bad("role"))?,
                backup_for: r
                    .backup_for
                    .as_deref()
                    .map(EmployeeId::parse)
                    .transpose()
                    .map_err(|_| bad("backup_for"))?,
                joined_on: r.joined_on,
            },
            version: r.version,
            created_at: clock::utc(r.created_at),
            updated_at: clock::utc(r.updated_at),
        })
    }
}

fn to_domain(rows: Vec<TeamMemberRow>) -> DbResult<Vec<Versioned<TeamMember>>> {
    Ok(rows
        .into_iter()
        .map(Versioned::try_from)
        .collect::<Result<_, _>>()?)
}

pub fn find(
    conn: &mut DbConnection,
    project: &ProjectId,
    employee: &EmployeeId,
) -> DbResult<Option<Versioned<TeamMember>>> {
    let row = team_members::table
        .find((project.to_string(), employee.to_string()))
        .select(TeamMemberRow::as_select())
        .get_result(conn)
        .optional()?;
    Ok(row.map(Versioned::try_from).transpose()?)
}

/// False when the same place was inserted concurrently.
pub fn insert(conn: &mut DbConnection, m: &Versioned<TeamMember>) -> DbResult<bool> {
    super::applied(
        diesel::insert_into(team_members::table)
            .values(TeamMemberRow::new(m))
            .execute(conn),
    )
}

/// False when another transaction changed the place meanwhile.
pub fn update(conn: &mut DbConnection, m: &Versioned<TeamMember>) -> DbResult<bool> {
    let row = TeamMemberRow::new(m);
    super::applied(
        diesel::update(
            team_members::table
                .find((&row.project_id, &row.employee_id))
                .filter(team_members::version.eq(row.version - 1)),
        )
        .set(&row)
        .execute(conn),
    )
}

pub fn delete(conn: &mut DbConnection, project: &ProjectId, employee: &EmployeeId) -> DbResult<()> {
    diesel::delete(team_members::table.find((project.to_string(), employee.to_string())))
        .execute(conn)?;
    Ok(())
}

pub fn list(
    conn: &mut DbConnection,
    project: &ProjectId,
    page: &PageRequest,
) -> DbResult<Vec<Versioned<TeamMember>>> {
    let mut query = team_members::table
        .filter(team_members::project_id.eq(project.to_string()))
        .select(TeamMemberRow::as_select())
        .order(team_members::employee_id.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(team_members::employee_id.gt(after.clone()));
    }
    to_domain(query.load(conn)?)
}

/// Every place the employee holds, on any project.
pub fn of_employee(
    conn: &mut DbConnection,
    employee: &EmployeeId,
) -> DbResult<Vec<Versioned<TeamMember>>> {
    to_domain(
        team_members::table
            .filter(team_members::employee_id.eq(employee.to_string()))
            .order(team_members::project_id.asc())
            .select(TeamMemberRow::as_select())
            .load(conn)?,
    )
}

/// The projects on which any of `employees` holds a place.
pub fn projects_of(conn: &mut DbConnection, employees: &[String]) -> DbResult<Vec<String>> {
    let mut found = Vec::new();
    for chunk in employees.chunks(500) {
        found.extend(
            team_members::table
                .filter(team_members::employee_id.eq_any(chunk))
                .select(team_members::project_id)
                .distinct()
                .load::<String>(conn)?,
        );
    }
    found.sort();
    found.dedup();
    Ok(found)
}

/// Every member of the project with the employee facts coverage needs, in one query: only
/// the columns coverage reads (a member's version and timestamps are not among them, and
/// parsing them cost more than the rest of the read).
pub fn facts(conn: &mut DbConnection, project: &ProjectId) -> DbResult<Vec<MemberFacts>> {
    type Facts = (
        String,
        String,
        String,
        Option<String>,
        NaiveDate,
        NaiveDate,
        Option<NaiveDate>,
    );
    let rows: Vec<Facts> = team_members::table
        .inner_join(employees::table)
        .filter(team_members::project_id.eq(project.to_string()))
        .order(team_members::employee_id.asc())
        .select((
            team_members::employee_id,
            team_members::department_code,
            team_members::role,
            team_members::backup_for,
            team_members::joined_on,
            employees::hire_date,
            employees::last_working_day,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(
                employee_id,
                department_code,
                role,
                backup_for,
                joined_on,
                hire_date,
                last_working_day,
            )| {
                let bad = |column| {
                    CorruptRow::new("team_members", &format!("{project}/{employee_id}"), column)
                };
                Ok(MemberFacts {
                    employee_id: EmployeeId::parse(&employee_id).map_err(|_| bad("employee_id"))?,
                    department_code: DepartmentCode::parse(&department_code)
                        .map_err(|_| bad("department_code"))?,
                    role: TeamRole::parse(&role).ok_or_else(|| bad("role"))?,
                    backup_for: backup_for
                        .as_deref()
                        .map(EmployeeId::parse)
                        .transpose()
                        .map_err(|_| bad("backup_for"))?,
                    joined_on,
                    hire_date,
                    last_working_day,
                })
            },
        )
        .collect()
}

/// Every team place, by project and employee (a snapshot for a subscriber).
pub fn all(conn: &mut DbConnection) -> DbResult<Vec<Versioned<TeamMember>>> {
    to_domain(
        team_members::table
            .order((
                team_members::project_id.asc(),
                team_members::employee_id.asc(),
            ))
            .select(TeamMemberRow::as_select())
            .load(conn)?,
    )
}
