CREATE TABLE hr_events_old (
    id TEXT PRIMARY KEY NOT NULL,
    webhook_id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('applied', 'unmatched')),
    problem TEXT,
    applied_at TIMESTAMP
);
INSERT INTO hr_events_old
    SELECT id, webhook_id, event_type, payload, received_at,
           CASE status WHEN 'enriching' THEN 'unmatched' ELSE status END, problem, applied_at
    FROM hr_events;
DROP TABLE hr_events;
ALTER TABLE hr_events_old RENAME TO hr_events;
CREATE INDEX hr_events_by_status ON hr_events (status, id);
