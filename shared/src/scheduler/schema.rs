//! The scheduler's one table (migration `00000000000003_scheduler` of the common set).

diesel::table! {
    scheduled_jobs (name) {
        name -> Text,
        last_due -> Nullable<Timestamp>,
        leased_by -> Nullable<Text>,
        leased_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}
