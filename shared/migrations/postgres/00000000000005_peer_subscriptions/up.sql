-- The configured peers and the event types each last declared it takes; NULL until it
-- has answered, which means "every event", so nothing is lost while it is down.
CREATE TABLE peer_subscriptions (
    peer TEXT PRIMARY KEY NOT NULL,
    event_types TEXT,
    declared_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
