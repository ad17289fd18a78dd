DROP TABLE peer_incarnations;
DROP TABLE local_incarnation;
DROP TABLE webhook_attempts;
DROP TABLE webhook_subscriptions;
DROP TABLE inbox_events;
DROP TABLE outbox_deliveries;
DROP TABLE outbox_events;
