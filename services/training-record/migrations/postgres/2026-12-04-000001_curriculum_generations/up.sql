-- Bumped in the transaction of every change to a project's sessions, their audiences or
-- their materials, so a replica knows whether the copy of them it keeps is still current.
CREATE TABLE curriculum_generations (
    project_id TEXT PRIMARY KEY NOT NULL,
    generation BIGINT NOT NULL
);
