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

diesel::table! {
    projects (project_id) {
        project_id -> Text,
        name -> Text,
        status -> Text,
        planned_start -> Nullable<Date>,
        planned_go_live -> Nullable<Date>,
        stabilization_months -> Integer,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    team_members (project_id, employee_id) {
        project_id -> Text,
        employee_id -> Text,
        department_code -> Text,
        role -> Text,
        backup_for -> Nullable<Text>,
        joined_on -> Date,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    coverage_generations (project_id) {
        project_id -> Text,
        generation -> BigInt,
    }
}

diesel::table! {
    coverage_states (project_id, department_code) {
        project_id -> Text,
        department_code -> Text,
        status -> Text,
        required -> Integer,
        effective -> Integer,
        checked_on -> Date,
    }
}

diesel::table! {
    handovers (handover_id) {
        handover_id -> Text,
        project_id -> Text,
        leaver_employee_id -> Text,
        department_code -> Text,
        role -> Text,
        last_working_day -> Date,
        due_date -> Date,
        status -> Text,
        proposed_successor -> Nullable<Text>,
        proposal -> Text,
        successor -> Nullable<Text>,
        forced -> Bool,
        closing_reason -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    handover_progress (handover_id, part) {
        handover_id -> Text,
        part -> Text,
        done -> Integer,
        required -> Integer,
        reported_at -> Timestamp,
    }
}

diesel::table! {
    training_progress (project_id, employee_id) {
        project_id -> Text,
        employee_id -> Text,
        sessions_done -> Integer,
        sessions_required -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(employees -> departments (department_code));
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
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(team_members -> employees (employee_id));
diesel::joinable!(team_members -> projects (project_id));
diesel::allow_tables_to_appear_in_same_query!(
    departments,
    employees,
    projects,
    team_members,
    coverage_generations,
    coverage_states,
    handovers,
    handover_progress,
    training_progress,
    hr_events
);
