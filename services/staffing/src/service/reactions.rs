//! What a change to the roster sets off beyond the employee itself: handovers opened or
//! cancelled and coverage rechecked. Every path that changes employees (a `PUT`, an
//! import, an HR event, the daily job that lets leavers go) calls [`roster_changed`] in
//! the transaction of the change, so the consequences commit with it.

use continuity_contract::EmployeeId;
use continuity_shared::audit::AuditContext;
use continuity_shared::db::DbConnection;

use super::errors::StaffingResult;
use crate::domain::employee::Employee;

/// One employee as they were and as they are now.
#[derive(Debug, Clone)]
pub struct RosterChange {
    /// None for a new employee.
    pub before: Option<Employee>,
    pub after: Employee,
    /// The successor HR named with a resignation or a termination, if any.
    pub successor: Option<EmployeeId>,
}

/// Reacts to changed employees (projects, handovers and coverage are filled in by the
/// teams work; until then nothing beyond the employee changes).
pub fn roster_changed(
    _conn: &mut DbConnection,
    _changes: &[RosterChange],
    _ctx: &AuditContext,
) -> StaffingResult<()> {
    Ok(())
}
