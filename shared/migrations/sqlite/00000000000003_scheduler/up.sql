-- One row per scheduled job: the last slot it completed, and which replica holds it now.
-- A replica claims a job by a conditional UPDATE of its row, so several processes on one
-- database run each slot once.
CREATE TABLE scheduled_jobs (
    name TEXT PRIMARY KEY NOT NULL,
    last_due TIMESTAMP,
    leased_by TEXT,
    leased_until TIMESTAMP,
    last_error TEXT,
    updated_at TIMESTAMP NOT NULL
);
