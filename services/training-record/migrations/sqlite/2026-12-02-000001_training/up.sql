-- Training sessions of a project, and who they are for.
CREATE TABLE training_sessions (
    session_id TEXT PRIMARY KEY NOT NULL,
    project_id TEXT NOT NULL,
    title TEXT NOT NULL,
    module TEXT NOT NULL,
    held_on DATE NOT NULL,
    trainer TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    description TEXT NOT NULL,
    required BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX training_sessions_by_project ON training_sessions (project_id, session_id);

CREATE TABLE session_audience (
    session_id TEXT NOT NULL REFERENCES training_sessions (session_id),
    department_code TEXT NOT NULL,
    PRIMARY KEY (session_id, department_code)
);
CREATE INDEX session_audience_by_department ON session_audience (department_code, session_id);

-- Who attended a session (or was marked absent).
CREATE TABLE attendance (
    session_id TEXT NOT NULL REFERENCES training_sessions (session_id),
    employee_id TEXT NOT NULL,
    attended BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (session_id, employee_id)
);
CREATE INDEX attendance_by_employee ON attendance (employee_id);

-- A session's recordings, slides, documents and links.
CREATE TABLE materials (
    material_id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES training_sessions (session_id),
    kind TEXT NOT NULL CHECK (kind IN ('video', 'slides', 'document')),
    filename TEXT NOT NULL,
    storage_key TEXT,
    size_bytes BIGINT,
    sha256 TEXT,
    content_type TEXT,
    url TEXT,
    duration_seconds INTEGER,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX materials_by_session ON materials (session_id, material_id);

-- What a person has watched or read of a material.
CREATE TABLE material_progress (
    material_id TEXT NOT NULL REFERENCES materials (material_id),
    employee_id TEXT NOT NULL,
    intervals TEXT NOT NULL,
    watched_seconds DOUBLE PRECISION NOT NULL,
    position_seconds DOUBLE PRECISION,
    done BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (material_id, employee_id)
);
CREATE INDEX material_progress_by_employee ON material_progress (employee_id);

-- A person's catch-up plan on a project, fixed by a handover, and what was last reported.
CREATE TABLE catchup_plans (
    handover_id TEXT PRIMARY KEY NOT NULL,
    project_id TEXT NOT NULL,
    employee_id TEXT NOT NULL,
    department_code TEXT NOT NULL,
    due_date DATE NOT NULL,
    active BOOLEAN NOT NULL,
    reported_done INTEGER,
    reported_required INTEGER,
    overdue_reported BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX catchup_plans_by_person ON catchup_plans (project_id, employee_id);

-- The last `training.progressed` published per project and person.
CREATE TABLE training_shares (
    project_id TEXT NOT NULL,
    employee_id TEXT NOT NULL,
    sessions_done INTEGER NOT NULL,
    sessions_required INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (project_id, employee_id)
);
