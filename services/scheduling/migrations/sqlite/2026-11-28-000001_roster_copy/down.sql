DROP TABLE roster_employees;
DROP TABLE roster_departments;
