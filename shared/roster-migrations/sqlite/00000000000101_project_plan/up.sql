-- project.upserted now carries the plan: the roster copy keeps it.
ALTER TABLE roster_projects ADD COLUMN planned_start DATE;
ALTER TABLE roster_projects ADD COLUMN planned_go_live DATE;
ALTER TABLE roster_projects ADD COLUMN stabilization_months INTEGER NOT NULL DEFAULT 3;
