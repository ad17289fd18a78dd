DROP TABLE hr_events;
