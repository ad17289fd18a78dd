//! The tables, one portable description for both backends.

diesel::table! {
    departments (code) {
        code -> Text,
        name -> Text,
        is_key -> Bool,
        min_project_members -> Integer,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    employees (employee_id) {
        employee_id -> Text,
        name -> Text,
        department_code -> Text,
        hire_date -> Date,
        status -> Text,
        last_working_day -> Nullable<Date>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(employees -> departments (department_code));
diesel::allow_tables_to_appear_in_same_query!(departments, employees);

diesel::table! {
    hr_events (id) {
        id -> Text,
        webhook_id -> Text,
        event_type -> Text,
        payload -> Text,
        received_at -> Timestamp,
        status -> Text,
        problem -> Nullable<Text>,
        applied_at -> Nullable<Timestamp>,
    }
}
