//! The attrition history: imported from the HR system's CSV, and kept up to date from the
//! roster copy's hires, transfers and departures, both keyed on (employee, hire date).

use continuity_contract::EmployeeStatus;
use continuity_shared::audit::{self, AuditContext, Change};
use continuity_shared::db::DbConnection;
use continuity_shared::roster::CopiedEmployee;
use serde::Serialize;
use utoipa::ToSchema;

use super::SchResult;
use crate::db::spells;
use crate::domain::spell::Spell;

/// The audit trail's name for imports.
pub const ENTITY: &str = "attrition_import";

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    pub import_id: String,
    /// Data rows in the file.
    pub received: usize,
    /// Spells not on record before.
    pub added: usize,
    /// Spells already on record (kept, with the file's department and any new leave date).
    pub already_known: usize,
    /// Spells on record after the import.
    pub total_spells: i64,
}

/// Writes the spells in multi-row batches, in the caller's transaction.
pub fn import_in(
    conn: &mut DbConnection,
    spells: Vec<Spell>,
    ctx: &AuditContext,
) -> SchResult<ImportReport> {
    let (before, after) = spells::upsert(conn, &spells, ctx.at.naive_utc())?;
    let added = usize::try_from(after - before).unwrap_or(0);
    let report = ImportReport {
        import_id: continuity_shared::ids::new_id().to_string(),
        received: spells.len(),
        added,
        already_known: spells.len().saturating_sub(added),
        total_spells: after,
    };
    audit::record(
        conn,
        ctx,
        Change::created(ENTITY, report.import_id.clone(), &report)?,
    )?;
    Ok(report)
}

/// The spell the roster's view of a person implies, if it has a hire date: a resignation
/// (leaving) or a departure (left) closes it on the last working day.
pub fn live_spell(e: &CopiedEmployee) -> Option<Spell> {
    let leave_date = match e.status {
        EmployeeStatus::Active => None,
        _ => e.last_working_day,
    };
    Some(Spell {
        employee_id: e.employee_id.clone(),
        department: e.department_code.clone(),
        hire_date: e.hire_date?,
        leave_date: leave_date.filter(|l| Some(*l) >= e.hire_date),
    })
}

/// A copied roster change joins the history, in the event's transaction.
pub fn roster_changed_in(
    conn: &mut DbConnection,
    before: Option<&CopiedEmployee>,
    after: &CopiedEmployee,
    ctx: &AuditContext,
) -> SchResult<()> {
    let old = before.and_then(live_spell);
    let Some(new) = live_spell(after) else {
        return Ok(());
    };
    if old.as_ref() == Some(&new) {
        return Ok(());
    }
    spells::put_live(conn, &new, ctx.at.naive_utc())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use continuity_contract::{DepartmentCode, EmployeeId, Name};

    fn person(status: EmployeeStatus, last: Option<&str>) -> CopiedEmployee {
        CopiedEmployee {
            employee_id: EmployeeId::parse("E1").unwrap(),
            name: Name::parse("Li").unwrap(),
            department_code: DepartmentCode::parse("sales").unwrap(),
            hire_date: Some("2020-01-01".parse().unwrap()),
            status,
            last_working_day: last.map(|l| l.parse().unwrap()),
        }
    }

    #[test]
    fn a_resignation_closes_the_spell_and_an_active_person_keeps_it_open() {
        let leaving = live_spell(&person(EmployeeStatus::Leaving, Some("2026-02-28"))).unwrap();
        assert_eq!(leaving.leave_date, Some("2026-02-28".parse().unwrap()));
        let active = live_spell(&person(EmployeeStatus::Active, None)).unwrap();
        assert_eq!(active.leave_date, None);
        let no_hire = CopiedEmployee {
            hire_date: None,
            ..person(EmployeeStatus::Active, None)
        };
        assert!(live_spell(&no_hire).is_none());
    }
}
