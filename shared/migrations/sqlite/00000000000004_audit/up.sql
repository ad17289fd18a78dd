-- The audit trail: one row per change of a service's own resources, written in the same
-- transaction as the change. Append-only: the triggers refuse edits, and retention never
-- prunes it, because a trail that can be rewritten proves nothing.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('created', 'updated', 'deleted')),
    actor TEXT NOT NULL,
    cause_kind TEXT NOT NULL CHECK (cause_kind IN ('request', 'event')),
    -- The event's source when the cause is an event (event ids are unique per source).
    cause_source TEXT,
    cause_id TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    at TIMESTAMP NOT NULL
);
-- The history of one entity, newest first (ids are UUID v7: they sort by time).
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
