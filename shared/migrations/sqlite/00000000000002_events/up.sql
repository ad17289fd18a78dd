-- Outbox: events written in the same transaction as the change that caused them.
CREATE TABLE outbox_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    subject TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- One row per event and subscriber (a peer service, or `webhook:<id>`).
CREATE TABLE outbox_deliveries (
    event_seq BIGINT NOT NULL REFERENCES outbox_events (seq),
    subscriber TEXT NOT NULL,
    subject TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead', 'cancelled')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    leased_until TIMESTAMP,
    last_status INTEGER,
    last_error TEXT,
    delivered_at TIMESTAMP,
    PRIMARY KEY (event_seq, subscriber)
);
-- Partial, so that the "is an earlier event of this subject blocking?" probe uses the
-- subject index below rather than scanning every pending row.
CREATE INDEX outbox_deliveries_due ON outbox_deliveries (subscriber, event_seq) WHERE status = 'pending';
CREATE INDEX outbox_deliveries_subject ON outbox_deliveries (subscriber, subject, event_seq);

-- Inbox: every event received, applied at most once.
CREATE TABLE inbox_events (
    source TEXT NOT NULL,
    id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    subject TEXT,
    payload TEXT NOT NULL,
    applied BOOLEAN NOT NULL,
    received_at TIMESTAMP NOT NULL,
    PRIMARY KEY (source, id)
);

-- Webhooks out to the CRM.
CREATE TABLE webhook_subscriptions (
    id TEXT PRIMARY KEY NOT NULL,
    url TEXT NOT NULL,
    event_types TEXT NOT NULL,
    secret TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE webhook_attempts (
    id TEXT PRIMARY KEY NOT NULL,
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id),
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    status_code INTEGER,
    error TEXT,
    duration_ms BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_by_subscription ON webhook_attempts (subscription_id, id);

-- Which database of each peer received deliveries: a peer whose database was replaced
-- shows up with a new incarnation, and gets a snapshot of what it lost.
CREATE TABLE local_incarnation (
    incarnation TEXT PRIMARY KEY NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE peer_incarnations (
    subscriber TEXT NOT NULL,
    incarnation TEXT NOT NULL,
    snapshot_sent BOOLEAN NOT NULL,
    first_seen_at TIMESTAMP NOT NULL,
    PRIMARY KEY (subscriber, incarnation)
);
