//! scheduling's integration tests: the real service on a random port, over HTTP, against a
//! fresh database (SQLite, or PostgreSQL when CONTINUITY_TEST_POSTGRES_URL is set). The
//! roster copy is fed the way staffing feeds it, through `POST /v1/events`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod helpers;
mod history;
mod pictures;
mod recommendations;
mod risk;
mod seasonality;

#[actix_web::test]
async fn it_is_ready_documented_and_keeps_a_copy_of_staffing_employees() {
    continuity_shared::testing::assert_keeps_a_roster_copy(&scheduling::SERVICE).await;
}
