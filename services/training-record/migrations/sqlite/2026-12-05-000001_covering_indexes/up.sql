-- A catch-up read takes everything it needs of a person's record from these two indexes
-- alone: with the employee id only, each attended session and each material's progress
-- cost one more lookup into its table row (a progress row carries the watched intervals,
-- so it is wide), which was most of what a catch-up read cost.
DROP INDEX attendance_by_employee;
CREATE INDEX attendance_by_employee ON attendance (employee_id, attended, session_id);
DROP INDEX material_progress_by_employee;
CREATE INDEX material_progress_by_employee
    ON material_progress (employee_id, material_id, watched_seconds, done);
