-- What the HR system sent through the signed webhook: each delivery once (by its
-- webhook-id, kept as long as the event), applied or kept as unmatched until replayed.
CREATE TABLE hr_events (
    id TEXT PRIMARY KEY NOT NULL,
    webhook_id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('applied', 'unmatched')),
    problem TEXT,
    applied_at TIMESTAMP
);

CREATE INDEX hr_events_by_status ON hr_events (status, id);
