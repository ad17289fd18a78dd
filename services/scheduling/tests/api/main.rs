//! scheduling's integration tests: the real service on a random port, over HTTP, against a
//! fresh database. Its own resources arrive with its issue; today it serves the shared
//! operations endpoints and keeps the copy of staffing's roster (tested in depth in
//! training-record).

#[actix_web::test]
async fn it_is_ready_documented_and_keeps_a_copy_of_staffing_employees() {
    continuity_shared::testing::assert_keeps_a_roster_copy(&scheduling::SERVICE).await;
}
