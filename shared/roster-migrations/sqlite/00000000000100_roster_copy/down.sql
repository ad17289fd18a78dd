DROP TABLE roster_team_members;
DROP TABLE roster_projects;
DROP TABLE roster_employees;
DROP TABLE roster_departments;
