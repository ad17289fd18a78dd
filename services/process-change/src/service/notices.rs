//! Bundling approved changes into a notice, publishing it in one transaction, and reading
//! it with everything its printable form shows.

use continuity_contract::{DepartmentCode, EmployeeId, Name, NoticeId, ProcessChangeId, ProjectId};
use continuity_shared::audit::{self, AuditContext, Change};
use continuity_shared::db::{Db, DbConnection};
use continuity_shared::roster::read as roster;
use continuity_shared::{FieldError, text};

use super::errors::{PcError, PcResult};
use super::{changes::ENTITY as CHANGE, handovers};
use crate::db::acknowledgments::{self as acks, Ack};
use crate::db::{changes, notices as rows};
use crate::domain::Versioned;
use crate::domain::change::ProcessChange;
use crate::domain::lifecycle::{ChangeAction, transition};
use crate::domain::notice::{self, Notice, NoticeStatus, check_bundle, supersedes};

/// The audit trail's name for notices.
pub const ENTITY: &str = "notice";

fn load_changes(
    conn: &mut DbConnection,
    ids: &[ProcessChangeId],
) -> PcResult<Vec<Versioned<ProcessChange>>> {
    let found = changes::find_many(conn, ids)?;
    if let Some(missing) = ids
        .iter()
        .find(|i| !found.iter().any(|c| c.value.change_id == **i))
    {
        return Err(PcError::Invalid(vec![FieldError::new(
            "change_ids",
            text!(
                "process change `{missing}` does not exist",
                "流程变更 `{missing}` 不存在"
            ),
        )]));
    }
    Ok(found)
}

fn values(changes: &[Versioned<ProcessChange>]) -> Vec<ProcessChange> {
    changes.iter().map(|c| c.value.clone()).collect()
}

/// Creates a draft notice of approved changes, in the caller's transaction.
pub fn create_in(
    conn: &mut DbConnection,
    project: ProjectId,
    title: Name,
    mut change_ids: Vec<ProcessChangeId>,
    ctx: &AuditContext,
    created_by: String,
) -> PcResult<Versioned<Notice>> {
    super::changes::require_project(conn, &project)?;
    let mut seen = std::collections::HashSet::new();
    change_ids.retain(|c| seen.insert(*c));
    let found = load_changes(conn, &change_ids)?;
    check_bundle(project, &values(&found)).map_err(PcError::Bundle)?;
    let stored = Versioned {
        value: Notice {
            notice_id: NoticeId::new(),
            project_id: project,
            number: rows::next_number(conn)?,
            title,
            status: NoticeStatus::Draft,
            change_ids,
            created_by,
            published_on: None,
            published_at: None,
        },
        version: 1,
        created_at: ctx.at,
        updated_at: ctx.at,
    };
    rows::insert(conn, &stored)?;
    audit::record(
        conn,
        ctx,
        Change::created(ENTITY, stored.value.notice_id.to_string(), &stored.value)?,
    )?;
    Ok(stored)
}

/// Publishes a notice in one transaction: its changes become published (superseding the
/// published ones of the same process and step), and every active employee of every
/// affected department gets a pending acknowledgment, in batched inserts.
pub async fn publish(
    db: &Db,
    id: NoticeId,
    ctx: AuditContext,
    today: chrono::NaiveDate,
) -> PcResult<NoticeView> {
    db.write(move |conn| {
        let old = rows::find(conn, &id)?.ok_or(PcError::NoticeNotFound(id))?;
        if old.value.status == NoticeStatus::Published {
            return Err(PcError::NoticePublished(id));
        }
        let found = load_changes(conn, &old.value.change_ids)?;
        check_bundle(old.value.project_id, &values(&found)).map_err(PcError::Bundle)?;
        let mut audits = Vec::new();
        for c in &found {
            let olds = changes::published_of_step(
                conn,
                &c.value.project_id,
                &c.value.fields.process,
                &c.value.fields.step,
            )?;
            for o in olds.into_iter().filter(|o| supersedes(&c.value, &o.value)) {
                let status = transition(o.value.status, ChangeAction::Supersede)
                    .map_err(PcError::Illegal)?;
                let new = bump(&o, &ctx, |v| {
                    v.status = status;
                    v.superseded_by = Some(c.value.change_id);
                });
                changes::update(conn, &o, &new)?;
                audits.push(Change::updated(
                    CHANGE,
                    o.value.change_id.to_string(),
                    &o.value,
                    &new.value,
                )?);
            }
            let status =
                transition(c.value.status, ChangeAction::Publish).map_err(PcError::Illegal)?;
            let new = bump(c, &ctx, |v| {
                v.status = status;
                v.notice_id = Some(id);
            });
            changes::update(conn, c, &new)?;
            audits.push(Change::updated(
                CHANGE,
                c.value.change_id.to_string(),
                &c.value,
                &new.value,
            )?);
        }
        let departments = notice::departments(&values(&found));
        rows::insert_departments(conn, &id, &departments)?;
        let mut wanted: Vec<(NoticeId, EmployeeId, DepartmentCode)> =
            roster::active_employees_in(conn, &departments)?
                .into_iter()
                .map(|e| (id, e.employee_id, e.department_code))
                .collect();
        // Successors taking over a place in a department know its notices too.
        let mut successors = Vec::new();
        for d in &departments {
            for t in handovers::successors_in(conn, d)? {
                wanted.push((id, t.successor.clone(), t.department_code.clone()));
                successors.push(t.successor);
            }
        }
        acks::add_pending(conn, &wanted, ctx.at.naive_utc())?;
        let new = bump(&old, &ctx, |v| {
            v.status = NoticeStatus::Published;
            v.published_on = Some(today);
            v.published_at = Some(ctx.at);
        });
        rows::update(conn, &new)?;
        audits.push(Change::updated(
            ENTITY,
            id.to_string(),
            &old.value,
            &new.value,
        )?);
        audit::record_all(conn, &ctx, audits)?;
        successors.sort();
        successors.dedup();
        handovers::report_for_all(conn, &successors, ctx.at)?;
        view(conn, id)
    })
    .await
}

fn bump<T: Clone>(old: &Versioned<T>, ctx: &AuditContext, f: impl FnOnce(&mut T)) -> Versioned<T> {
    let mut value = old.value.clone();
    f(&mut value);
    Versioned {
        value,
        version: old.version + 1,
        created_at: old.created_at,
        updated_at: ctx.at,
    }
}

/// A notice with its changes, the departments it went to (with their names when the
/// roster copy knows them) and every acknowledgment.
#[derive(Debug, Clone)]
pub struct NoticeView {
    pub notice: Versioned<Notice>,
    pub changes: Vec<ProcessChange>,
    pub departments: Vec<(DepartmentCode, Option<Name>)>,
    pub acknowledgments: Vec<Ack>,
}

pub fn view(conn: &mut DbConnection, id: NoticeId) -> PcResult<NoticeView> {
    let notice = rows::find(conn, &id)?.ok_or(PcError::NoticeNotFound(id))?;
    let changes = values(&changes::find_many(conn, &notice.value.change_ids)?);
    let codes = match notice.value.status {
        NoticeStatus::Published => rows::departments(conn, &id)?,
        NoticeStatus::Draft => notice::departments(&changes),
    };
    let mut departments = Vec::new();
    for code in codes {
        let name = roster::department(conn, &code)?.map(|d| d.name);
        departments.push((code, name));
    }
    let acknowledgments = acks::of_notice(conn, &id)?;
    Ok(NoticeView {
        notice,
        changes,
        departments,
        acknowledgments,
    })
}

pub async fn get(db: &Db, id: NoticeId) -> PcResult<NoticeView> {
    db.read(move |conn| view(conn, id)).await
}
