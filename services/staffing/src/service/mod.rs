//! Staffing's use cases: each owns its transaction.

pub mod departments;
pub mod employees;
pub mod events;

/// What a `PUT` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Put {
    Created,
    Updated,
    Unchanged,
}
