//! Training-record's integration tests: the real service on a random port, over HTTP,
//! against a fresh database. Its own resources arrive with its issue; today it keeps the
//! copy of staffing's roster.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod roster_copy;
