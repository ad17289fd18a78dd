-- Events of HR sources that carry only ids wait as `enriching` until the vendor's API
-- gives what they mean; failed attempts are counted and retried at `next_attempt_at`.
ALTER TABLE hr_events DROP CONSTRAINT hr_events_status_check;
ALTER TABLE hr_events ADD CONSTRAINT hr_events_status_check
    CHECK (status IN ('applied', 'unmatched', 'enriching'));
ALTER TABLE hr_events ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hr_events ADD COLUMN next_attempt_at TIMESTAMP;
CREATE INDEX hr_events_due ON hr_events (next_attempt_at) WHERE status = 'enriching';
