//! Scheduling's tables.

diesel::table! {
    attrition_spells (employee_id, hire_date) {
        employee_id -> Text,
        hire_date -> Date,
        department_code -> Text,
        leave_date -> Nullable<Date>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    project_risk (project_id) {
        project_id -> Text,
        level -> Text,
        breach_probability -> Double,
        updated_at -> Timestamp,
    }
}
