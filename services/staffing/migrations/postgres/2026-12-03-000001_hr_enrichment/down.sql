DROP INDEX hr_events_due;
UPDATE hr_events SET status = 'unmatched' WHERE status = 'enriching';
ALTER TABLE hr_events DROP COLUMN next_attempt_at;
ALTER TABLE hr_events DROP COLUMN attempts;
ALTER TABLE hr_events DROP CONSTRAINT hr_events_status_check;
ALTER TABLE hr_events ADD CONSTRAINT hr_events_status_check
    CHECK (status IN ('applied', 'unmatched'));
