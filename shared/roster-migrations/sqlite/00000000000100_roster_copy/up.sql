-- The copy of staffing's roster that a subscribing service keeps, fed by staffing's events.
CREATE TABLE roster_departments (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    is_key BOOLEAN NOT NULL,
    min_project_members INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE roster_employees (
    employee_id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    department_code TEXT NOT NULL,
    hire_date DATE,
    status TEXT NOT NULL,
    last_working_day DATE,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX roster_employees_by_department ON roster_employees (department_code, employee_id);

CREATE TABLE roster_projects (
    project_id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE roster_team_members (
    project_id TEXT NOT NULL,
    employee_id TEXT NOT NULL,
    department_code TEXT NOT NULL,
    role TEXT NOT NULL,
    backup_for TEXT,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (project_id, employee_id)
);
