-- The attrition history: one row per employment spell, keyed on (employee, hire date), so
-- a re-import or a repeated roster event changes nothing and a rehire is a new spell.
CREATE TABLE attrition_spells (
    employee_id TEXT NOT NULL,
    hire_date DATE NOT NULL,
    department_code TEXT NOT NULL,
    leave_date DATE,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (employee_id, hire_date),
    CHECK (leave_date IS NULL OR leave_date >= hire_date)
);
CREATE INDEX attrition_spells_by_department ON attrition_spells (department_code);
