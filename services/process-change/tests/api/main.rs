//! process-change's integration tests: the real service on a random port, over HTTP, against
//! a fresh database (SQLite, or PostgreSQL when CONTINUITY_TEST_POSTGRES_URL is set). The
//! roster copy is fed the way staffing feeds it, through `POST /v1/events`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod acknowledgments;
mod changes;
mod handovers;
mod helpers;
mod inputs;
mod notices;
mod rendered;

#[actix_web::test]
async fn it_is_ready_documented_and_keeps_a_copy_of_staffing_employees() {
    continuity_shared::testing::assert_keeps_a_roster_copy(&process_change::SERVICE).await;
}
