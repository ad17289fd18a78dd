DROP TABLE employees;
DROP TABLE departments;
