-- Bumped in the transaction of every change that can move a project's coverage, so a
-- replica knows whether the coverage it computed before is still the coverage now.
CREATE TABLE coverage_generations (
    project_id TEXT PRIMARY KEY NOT NULL,
    generation BIGINT NOT NULL
);
