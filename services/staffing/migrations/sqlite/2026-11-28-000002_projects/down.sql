DROP TABLE training_progress;
DROP TABLE handover_progress;
DROP TABLE handovers;
DROP TABLE coverage_states;
DROP TABLE team_members;
DROP TABLE projects;
