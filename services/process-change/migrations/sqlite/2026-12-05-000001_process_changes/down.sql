DROP TABLE tracked_handovers;
DROP TABLE acknowledgments;
DROP TABLE notice_departments;
DROP TABLE notice_changes;
DROP TABLE notices;
DROP TABLE change_departments;
DROP TABLE process_changes;
