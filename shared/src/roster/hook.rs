//! How a service reacts to a copied roster change: it sees the value before and after, in
//! the transaction that applies the event (a transfer, a departure, a new team member).

use super::model::{CopiedDepartment, CopiedEmployee, CopiedMember, CopiedProject};
use crate::db::DbConnection;
use crate::error::ApiResult;
use crate::events::CloudEvent;

/// One change to the copy: `before` is `None` for something new, `after` is `None` for
/// something removed.
#[derive(Debug, Clone, PartialEq)]
pub enum RosterChange {
    Department {
        before: Option<CopiedDepartment>,
        after: CopiedDepartment,
    },
    Employee {
        before: Option<CopiedEmployee>,
        after: CopiedEmployee,
    },
    Project {
        before: Option<CopiedProject>,
        after: CopiedProject,
    },
    Member {
        before: Option<CopiedMember>,
        after: Option<CopiedMember>,
    },
}

/// Called after each change to the copy that altered something (a repeat that changes
/// nothing is not reported). An error rolls the whole event back, and the producer
/// delivers it again later.
pub trait RosterHook: Send + Sync + 'static {
    fn changed(
        &self,
        conn: &mut DbConnection,
        change: &RosterChange,
        event: &CloudEvent,
    ) -> ApiResult<()>;
}
