CREATE TABLE projects (
    project_id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'live', 'closed')),
    planned_start DATE,
    planned_go_live DATE,
    stabilization_months INTEGER NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX projects_by_status ON projects (status, project_id);

-- A person's place on a project team, from the day they joined it.
CREATE TABLE team_members (
    project_id TEXT NOT NULL REFERENCES projects (project_id),
    employee_id TEXT NOT NULL REFERENCES employees (employee_id),
    department_code TEXT NOT NULL REFERENCES departments (code),
    role TEXT NOT NULL,
    backup_for TEXT,
    joined_on DATE NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (project_id, employee_id)
);
CREATE INDEX team_members_by_employee ON team_members (employee_id);

-- The coverage status last published per project and department: what
-- `coverage.changed` compares against.
CREATE TABLE coverage_states (
    project_id TEXT NOT NULL REFERENCES projects (project_id),
    department_code TEXT NOT NULL,
    status TEXT NOT NULL,
    required INTEGER NOT NULL,
    effective INTEGER NOT NULL,
    checked_on DATE NOT NULL,
    PRIMARY KEY (project_id, department_code)
);

CREATE TABLE handovers (
    handover_id TEXT PRIMARY KEY NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects (project_id),
    leaver_employee_id TEXT NOT NULL REFERENCES employees (employee_id),
    department_code TEXT NOT NULL,
    role TEXT NOT NULL,
    last_working_day DATE NOT NULL,
    due_date DATE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'successor_assigned', 'in_progress', 'completed', 'cancelled')),
    proposed_successor TEXT,
    proposal TEXT NOT NULL,
    successor TEXT,
    forced BOOLEAN NOT NULL,
    closing_reason TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX handovers_by_leaver ON handovers (leaver_employee_id, status);
CREATE INDEX handovers_by_project ON handovers (project_id, handover_id);
CREATE INDEX handovers_by_status ON handovers (status, handover_id);

-- The latest progress of each part of a handover, as its service reported it.
CREATE TABLE handover_progress (
    handover_id TEXT NOT NULL REFERENCES handovers (handover_id),
    part TEXT NOT NULL CHECK (part IN ('training', 'acknowledgments')),
    done INTEGER NOT NULL,
    required INTEGER NOT NULL,
    reported_at TIMESTAMP NOT NULL,
    PRIMARY KEY (handover_id, part)
);

-- Training each person has done per project, as training-record reports it: what picks
-- a successor from outside the team.
CREATE TABLE training_progress (
    project_id TEXT NOT NULL,
    employee_id TEXT NOT NULL,
    sessions_done INTEGER NOT NULL,
    sessions_required INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (project_id, employee_id)
);
