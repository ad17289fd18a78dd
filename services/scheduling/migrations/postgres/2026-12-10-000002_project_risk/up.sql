-- The last risk level each project was scored at: a change of level is published.
CREATE TABLE project_risk (
    project_id TEXT PRIMARY KEY NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('low', 'medium', 'high')),
    breach_probability DOUBLE PRECISION NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
