//! The roster copy's tables.

diesel::table! {
    roster_departments (code) {
        code -> Text,
        name -> Text,
        is_key -> Bool,
        min_project_members -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    roster_employees (employee_id) {
        employee_id -> Text,
        name -> Text,
        department_code -> Text,
        hire_date -> Nullable<Date>,
        status -> Text,
        last_working_day -> Nullable<Date>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    roster_projects (project_id) {
        project_id -> Text,
        name -> Text,
        status -> Text,
        updated_at -> Timestamp,
        planned_start -> Nullable<Date>,
        planned_go_live -> Nullable<Date>,
        stabilization_months -> Integer,
    }
}

diesel::table! {
    roster_team_members (project_id, employee_id) {
        project_id -> Text,
        employee_id -> Text,
        department_code -> Text,
        role -> Text,
        backup_for -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}
