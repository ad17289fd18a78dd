DROP TABLE project_risk;
