//! The tables, one portable description for both backends.

diesel::table! {
    training_sessions (session_id) {
        session_id -> Text,
        project_id -> Text,
        title -> Text,
        module -> Text,
        held_on -> Date,
        trainer -> Text,
        duration_minutes -> Integer,
        description -> Text,
        required -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    session_audience (session_id, department_code) {
        session_id -> Text,
        department_code -> Text,
    }
}

diesel::table! {
    attendance (session_id, employee_id) {
        session_id -> Text,
        employee_id -> Text,
        attended -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    materials (material_id) {
        material_id -> Text,
        session_id -> Text,
        kind -> Text,
        filename -> Text,
        storage_key -> Nullable<Text>,
        size_bytes -> Nullable<BigInt>,
        sha256 -> Nullable<Text>,
        content_type -> Nullable<Text>,
        url -> Nullable<Text>,
        duration_seconds -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    material_progress (material_id, employee_id) {
        material_id -> Text,
        employee_id -> Text,
        intervals -> Text,
        watched_seconds -> Double,
        position_seconds -> Nullable<Double>,
        done -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    catchup_plans (handover_id) {
        handover_id -> Text,
        project_id -> Text,
        employee_id -> Text,
        department_code -> Text,
        due_date -> Date,
        active -> Bool,
        reported_done -> Nullable<Integer>,
        reported_required -> Nullable<Integer>,
        overdue_reported -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    training_shares (project_id, employee_id) {
        project_id -> Text,
        employee_id -> Text,
        sessions_done -> Integer,
        sessions_required -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(session_audience -> training_sessions (session_id));
diesel::joinable!(materials -> training_sessions (session_id));
diesel::joinable!(attendance -> training_sessions (session_id));
diesel::joinable!(material_progress -> materials (material_id));
diesel::allow_tables_to_appear_in_same_query!(
    training_sessions,
    session_audience,
    attendance,
    materials,
    material_progress,
);

diesel::table! {
    uploads (upload_id) {
        upload_id -> Text,
        session_id -> Text,
        kind -> Text,
        filename -> Text,
        content_type -> Text,
        duration_seconds -> Nullable<Integer>,
        length_bytes -> BigInt,
        offset_bytes -> BigInt,
        sha256_state -> Text,
        completed -> Bool,
        expires_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    curriculum_generations (project_id) {
        project_id -> Text,
        generation -> BigInt,
    }
}
