//! Process-change's tables (its migrations define them).

diesel::table! {
    process_changes (change_id) {
        change_id -> Text,
        project_id -> Text,
        process -> Text,
        step -> Text,
        before_text -> Text,
        after_text -> Text,
        reason -> Text,
        effective_date -> Date,
        recorded_by -> Text,
        status -> Text,
        notice_id -> Nullable<Text>,
        superseded_by -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    change_departments (change_id, department_code) {
        change_id -> Text,
        department_code -> Text,
    }
}

diesel::table! {
    notices (notice_id) {
        notice_id -> Text,
        project_id -> Text,
        number -> BigInt,
        title -> Text,
        status -> Text,
        created_by -> Text,
        published_on -> Nullable<Date>,
        published_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    notice_changes (notice_id, change_id) {
        notice_id -> Text,
        change_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    notice_departments (notice_id, department_code) {
        notice_id -> Text,
        department_code -> Text,
    }
}

diesel::table! {
    acknowledgments (notice_id, employee_id) {
        notice_id -> Text,
        employee_id -> Text,
        department_code -> Text,
        status -> Text,
        created_at -> Timestamp,
        acknowledged_at -> Nullable<Timestamp>,
        acknowledged_by -> Nullable<Text>,
        overdue_notified_on -> Nullable<Date>,
    }
}

diesel::table! {
    tracked_handovers (handover_id) {
        handover_id -> Text,
        project_id -> Text,
        department_code -> Text,
        successor_employee_id -> Text,
        active -> Bool,
        reported_done -> Nullable<Integer>,
        reported_required -> Nullable<Integer>,
        updated_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    process_changes,
    change_departments,
    notices,
    notice_changes,
    notice_departments,
    acknowledgments,
    tracked_handovers
);
