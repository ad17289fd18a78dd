//! Handover rows, their parts' progress, and the training done per project that picks a
//! successor from outside the team.

use chrono::{NaiveDate, NaiveDateTime};
use continuity_contract::{
    DepartmentCode, EmployeeId, HandoverId, HandoverPart, HandoverStatus, ProjectId, TeamRole,
};
use continuity_shared::clock;
use continuity_shared::db::{CorruptRow, DbConnection, DbResult};
use continuity_shared::pagination::PageRequest;
use continuity_shared::with_backend;
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::schema::{handover_progress, handovers, training_progress};
use crate::domain::Versioned;
use crate::domain::handover::{Handover, PartProgress, ProposalKind};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = handovers, treat_none_as_null = true)]
pub struct HandoverRow {
    pub handover_id: String,
    pub project_id: String,
    pub leaver_employee_id: String,
    pub department_code: String,
    pub role: String,
    pub last_working_day: NaiveDate,
    pub due_date: NaiveDate,
    pub status: String,
    pub proposed_successor: Option<String>,
    pub proposal: String,
    pub successor: Option<String>,
    pub forced: bool,
    pub closing_reason: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl HandoverRow {
    fn new(h: &Versioned<Handover>) -> Self {
        let v = &h.value;
        Self {
            handover_id: v.handover_id.to_string(),
            project_id: v.project_id.to_string(),
            leaver_employee_id: v.leaver_employee_id.to_string(),
            department_code: v.department_code.to_string(),
            role: v.role.as_str().to_owned(),
            last_working_day: v.last_working_day,
            due_date: v.due_date,
            status: v.status.as_str().to_owned(),
            proposed_successor: v.proposed_successor.as_ref().map(ToString::to_string),
            proposal: v.proposal.as_str().to_owned(),
            successor: v.successor.as_ref().map(ToString::to_string),
            forced: v.forced,
            closing_reason: v.closing_reason.clone(),
            version: h.version,
            created_at: h.created_at.naive_utc(),
            updated_at: h.updated_at.naive_utc(),
        }
    }

    fn into_domain(self, progress: &[ProgressRow]) -> Result<Versioned<Handover>, CorruptRow> {
        let r = self;
        let bad = |column| CorruptRow::new("handovers", &r.handover_id, column);
        let employee = |raw: &Option<String>, column| {
            raw.as_deref()
                .map(EmployeeId::parse)
                .transpose()
                .map_err(|_| bad(column))
        };
        let part = |p: HandoverPart| -> Result<Option<PartProgress>, CorruptRow> {
            progress
                .iter()
                .find(|row| row.handover_id == r.handover_id && row.part == p.as_str())
                .map(|row| {
                    Ok(PartProgress {
                        done: u32::try_from(row.done).map_err(|_| bad("progress"))?,
                        required: u32::try_from(row.required).map_err(|_| bad("progress"))?,
                    })
                })
                .transpose()
        };
        Ok(Versioned {
            value: Handover {
                handover_id: HandoverId::parse(&r.handover_id).map_err(|_| bad("handover_id"))?,
                project_id: ProjectId::parse(&r.project_id).map_err(|_| bad("project_id"))?,
                leaver_employee_id: EmployeeId::parse(&r.leaver_employee_id)
                    .map_err(|_| bad("leaver_employee_id"))?,
                department_code: DepartmentCode::parse(&r.department_code)
                    .map_err(|_| bad("department_code"))?,
                role: TeamRole::parse(&r.role).ok_or_else(|| bad("role"))?,
                last_working_day: r.last_working_day,
                due_date: r.due_date,
                status: HandoverStatus::parse(&r.status).ok_or_else(|| bad("status"))?,
                proposed_successor: employee(&r.proposed_successor, "proposed_successor")?,
                proposal: ProposalKind::parse(&r.proposal).ok_or_else(|| bad("proposal"))?,
                successor: employee(&r.successor, "successor")?,
                training: part(HandoverPart::Training)?,
                acknowledgments: part(HandoverPart::Acknowledgments)?,
                forced: r.forced,
                closing_reason: r.closing_reason.clone(),
            },
            version: r.version,
            created_at: clock::utc(r.created_at),
            updated_at: clock::utc(r.updated_at),
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = handover_progress)]
struct ProgressRow {
    handover_id: String,
    part: String,
    done: i32,
    required: i32,
}

fn with_progress(
    conn: &mut DbConnection,
    rows: Vec<HandoverRow>,
) -> DbResult<Vec<Versioned<Handover>>> {
    let ids: Vec<&str> = rows.iter().map(|r| r.handover_id.as_str()).collect();
    let mut progress = Vec::new();
    for chunk in ids.chunks(500) {
        progress.extend(
            handover_progress::table
                .filter(handover_progress::handover_id.eq_any(chunk))
                .select(ProgressRow::as_select())
                .load(conn)?,
        );
    }
    Ok(rows
        .into_iter()
        .map(|r| r.into_domain(&progress))
        .collect::<Result<_, _>>()?)
}

pub fn find(conn: &mut DbConnection, id: &HandoverId) -> DbResult<Option<Versioned<Handover>>> {
    let row = handovers::table
        .find(id.to_string())
        .select(HandoverRow::as_select())
        .get_result(conn)
        .optional()?;
    Ok(match row {
        None => None,
        Some(row) => with_progress(conn, vec![row])?.pop(),
    })
}

/// Handovers of a leaver that are neither completed nor cancelled.
pub fn open_of_leaver(
    conn: &mut DbConnection,
    leaver: &EmployeeId,
) -> DbResult<Vec<Versioned<Handover>>> {
    let rows = handovers::table
        .filter(handovers::leaver_employee_id.eq(leaver.to_string()))
        .filter(handovers::status.ne_all([
            HandoverStatus::Completed.as_str(),
            HandoverStatus::Cancelled.as_str(),
        ]))
        .order(handovers::handover_id.asc())
        .select(HandoverRow::as_select())
        .load(conn)?;
    with_progress(conn, rows)
}

/// Filters of the handover list.
#[derive(Debug, Default, Clone)]
pub struct HandoverFilter {
    pub project: Option<ProjectId>,
    pub status: Option<HandoverStatus>,
}

pub fn list(
    conn: &mut DbConnection,
    filter: &HandoverFilter,
    page: &PageRequest,
) -> DbResult<Vec<Versioned<Handover>>> {
    let mut query = handovers::table
        .select(HandoverRow::as_select())
        .order(handovers::handover_id.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(handovers::handover_id.gt(after.clone()));
    }
    if let Some(project) = &filter.project {
        query = query.filter(handovers::project_id.eq(project.to_string()));
    }
    if let Some(status) = filter.status {
        query = query.filter(handovers::status.eq(status.as_str()));
    }
    let rows = query.load(conn)?;
    with_progress(conn, rows)
}

pub fn insert(conn: &mut DbConnection, h: &Versioned<Handover>) -> DbResult<()> {
    diesel::insert_into(handovers::table)
        .values(HandoverRow::new(h))
        .execute(conn)?;
    Ok(())
}

/// Writes the handover and the progress of its parts; false (nothing written) when another
/// transaction changed the handover meanwhile.
pub fn update(
    conn: &mut DbConnection,
    h: &Versioned<Handover>,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let row = HandoverRow::new(h);
    let applied = super::applied(
        diesel::update(
            handovers::table
                .find(&row.handover_id)
                .filter(handovers::version.eq(row.version - 1)),
        )
        .set(&row)
        .execute(conn),
    )?;
    if !applied {
        return Ok(false);
    }
    for (part, progress) in [
        (HandoverPart::Training, h.value.training),
        (HandoverPart::Acknowledgments, h.value.acknowledgments),
    ] {
        let Some(p) = progress else { continue };
        let values = (
            handover_progress::handover_id.eq(&row.handover_id),
            handover_progress::part.eq(part.as_str()),
            handover_progress::done.eq(p.done as i32),
            handover_progress::required.eq(p.required as i32),
            handover_progress::reported_at.eq(now),
        );
        with_backend!(&mut *conn, |c| diesel::insert_into(
            handover_progress::table
        )
        .values(values)
        .on_conflict((handover_progress::handover_id, handover_progress::part))
        .do_update()
        .set((
            handover_progress::done.eq(excluded(handover_progress::done)),
            handover_progress::required.eq(excluded(handover_progress::required)),
            handover_progress::reported_at.eq(excluded(handover_progress::reported_at)),
        ))
        .execute(c))?;
    }
    Ok(true)
}

/// Records the training someone has done for a project, as training-record reports it.
pub fn save_training(
    conn: &mut DbConnection,
    project: &ProjectId,
    employee: &EmployeeId,
    (done, required): (u32, u32),
    now: NaiveDateTime,
) -> DbResult<()> {
    let values = (
        training_progress::project_id.eq(project.to_string()),
        training_progress::employee_id.eq(employee.to_string()),
        training_progress::sessions_done.eq(done as i32),
        training_progress::sessions_required.eq(required as i32),
        training_progress::updated_at.eq(now),
    );
    with_backend!(conn, |c| diesel::insert_into(training_progress::table)
        .values(values.clone())
        .on_conflict((
            training_progress::project_id,
            training_progress::employee_id
        ))
        .do_update()
        .set((
            training_progress::sessions_done.eq(excluded(training_progress::sessions_done)),
            training_progress::sessions_required.eq(excluded(training_progress::sessions_required)),
            training_progress::updated_at.eq(excluded(training_progress::updated_at)),
        ))
        .execute(c))?;
    Ok(())
}

/// Sessions of the project's training each employee has done.
pub fn training_done(conn: &mut DbConnection, project: &ProjectId) -> DbResult<Vec<(String, u32)>> {
    let rows: Vec<(String, i32)> = training_progress::table
        .filter(training_progress::project_id.eq(project.to_string()))
        .select((
            training_progress::employee_id,
            training_progress::sessions_done,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, done)| (id, u32::try_from(done).unwrap_or(0)))
        .collect())
}
