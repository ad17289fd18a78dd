DROP INDEX attendance_by_employee;
CREATE INDEX attendance_by_employee ON attendance (employee_id);
DROP INDEX material_progress_by_employee;
CREATE INDEX material_progress_by_employee ON material_progress (employee_id);
