-- Process changes decided during an implementation, one row each, with its lifecycle.
CREATE TABLE process_changes (
    change_id TEXT PRIMARY KEY NOT NULL,
    project_id TEXT NOT NULL,
    process TEXT NOT NULL,
    step TEXT NOT NULL,
    before_text TEXT NOT NULL,
    after_text TEXT NOT NULL,
    reason TEXT NOT NULL,
    effective_date DATE NOT NULL,
    recorded_by TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'published', 'superseded')),
    notice_id TEXT,
    superseded_by TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX process_changes_by_project ON process_changes (project_id, change_id);
CREATE INDEX process_changes_by_step ON process_changes (project_id, process, step, status);

-- The departments a change affects.
CREATE TABLE change_departments (
    change_id TEXT NOT NULL REFERENCES process_changes (change_id),
    department_code TEXT NOT NULL,
    PRIMARY KEY (change_id, department_code)
);
CREATE INDEX change_departments_by_department ON change_departments (department_code, change_id);

-- Liaison notices: approved changes sent together to the departments they affect.
CREATE TABLE notices (
    notice_id TEXT PRIMARY KEY NOT NULL,
    project_id TEXT NOT NULL,
    number BIGINT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    created_by TEXT NOT NULL,
    published_on DATE,
    published_at TIMESTAMP,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX notices_by_project ON notices (project_id, notice_id);

CREATE TABLE notice_changes (
    notice_id TEXT NOT NULL REFERENCES notices (notice_id),
    change_id TEXT NOT NULL REFERENCES process_changes (change_id),
    position INTEGER NOT NULL,
    PRIMARY KEY (notice_id, change_id)
);
CREATE INDEX notice_changes_by_change ON notice_changes (change_id);

-- The departments a published notice went to (the union of its changes' departments).
CREATE TABLE notice_departments (
    notice_id TEXT NOT NULL REFERENCES notices (notice_id),
    department_code TEXT NOT NULL,
    PRIMARY KEY (notice_id, department_code)
);
CREATE INDEX notice_departments_by_department ON notice_departments (department_code, notice_id);

-- One person's acknowledgment of one notice: pending, acknowledged, or not required
-- (the person left before acknowledging).
CREATE TABLE acknowledgments (
    notice_id TEXT NOT NULL REFERENCES notices (notice_id),
    employee_id TEXT NOT NULL,
    department_code TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'acknowledged', 'not_required')),
    created_at TIMESTAMP NOT NULL,
    acknowledged_at TIMESTAMP,
    acknowledged_by TEXT,
    overdue_notified_on DATE,
    PRIMARY KEY (notice_id, employee_id)
);
CREATE INDEX acknowledgments_by_employee ON acknowledgments (employee_id, status);
CREATE INDEX acknowledgments_by_status ON acknowledgments (status, notice_id);

-- Handovers whose successor's acknowledgments this service reports to staffing.
CREATE TABLE tracked_handovers (
    handover_id TEXT PRIMARY KEY NOT NULL,
    project_id TEXT NOT NULL,
    department_code TEXT NOT NULL,
    successor_employee_id TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    reported_done INTEGER,
    reported_required INTEGER,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX tracked_handovers_by_successor ON tracked_handovers (successor_employee_id, active);
