//! Staffing's integration tests: the real service on a random port, over real HTTP,
//! against a fresh database (SQLite, or PostgreSQL when CONTINUITY_TEST_POSTGRES_URL is set).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod access;
mod audit;
mod coverage;
mod departments;
mod employees;
mod errors;
mod events;
mod handovers;
mod helpers;
mod hr_effects;
mod hr_enrichment;
mod hr_feishu;
mod hr_sources;
mod hr_webhook;
mod import;
mod input_edges;
mod operations;
mod projects;
mod webhooks;
