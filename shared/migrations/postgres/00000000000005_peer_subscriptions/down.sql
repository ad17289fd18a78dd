DROP TABLE peer_subscriptions;
