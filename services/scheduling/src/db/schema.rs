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
