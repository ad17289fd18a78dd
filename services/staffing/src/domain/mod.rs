//! Staffing's domain types and rules, free of I/O.

pub mod department;
pub mod employee;
pub mod import;
