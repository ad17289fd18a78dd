ALTER TABLE roster_projects DROP COLUMN stabilization_months;
ALTER TABLE roster_projects DROP COLUMN planned_go_live;
ALTER TABLE roster_projects DROP COLUMN planned_start;
