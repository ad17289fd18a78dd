-- Events of HR sources that carry only ids wait as `enriching` until the vendor's API
-- gives what they mean; failed attempts are counted and retried at `next_attempt_at`.
-- SQLite cannot change a CHECK constraint: the table is rebuilt (nothing refers to it).
CREATE TABLE hr_events_new (
    id TEXT PRIMARY KEY NOT NULL,
    webhook_id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('applied', 'unmatched', 'enriching')),
    problem TEXT,
    applied_at TIMESTAMP,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP
);
INSERT INTO hr_events_new (id, webhook_id, event_type, payload, received_at, status, problem, applied_at)
    SELECT id, webhook_id, event_type, payload, received_at, status, problem, applied_at FROM hr_events;
DROP TABLE hr_events;
ALTER TABLE hr_events_new RENAME TO hr_events;
CREATE INDEX hr_events_by_status ON hr_events (status, id);
CREATE INDEX hr_events_due ON hr_events (next_attempt_at) WHERE status = 'enriching';
