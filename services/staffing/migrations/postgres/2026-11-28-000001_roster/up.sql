CREATE TABLE departments (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    is_key BOOLEAN NOT NULL,
    min_project_members INTEGER NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE employees (
    employee_id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    department_code TEXT NOT NULL REFERENCES departments (code),
    hire_date DATE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'leaving', 'left')),
    last_working_day DATE,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE INDEX employees_by_department ON employees (department_code, employee_id);
CREATE INDEX employees_by_status ON employees (status, employee_id);
