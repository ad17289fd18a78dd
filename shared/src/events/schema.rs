//! The outbox, inbox and webhook tables every service has.

diesel::table! {
    outbox_events (seq) {
        seq -> BigInt,
        id -> Text,
        event_type -> Text,
        subject -> Text,
        payload -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox_deliveries (event_seq, subscriber) {
        event_seq -> BigInt,
        subscriber -> Text,
        subject -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        leased_until -> Nullable<Timestamp>,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    inbox_events (source, id) {
        source -> Text,
        id -> Text,
        event_type -> Text,
        subject -> Nullable<Text>,
        payload -> Text,
        applied -> Bool,
        received_at -> Timestamp,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> Text,
        url -> Text,
        event_types -> Text,
        secret -> Text,
        active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> Text,
        subscription_id -> Text,
        event_id -> Text,
        event_type -> Text,
        attempted_at -> Timestamp,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> BigInt,
    }
}

diesel::joinable!(outbox_deliveries -> outbox_events (event_seq));
diesel::allow_tables_to_appear_in_same_query!(outbox_events, outbox_deliveries);

diesel::table! {
    local_incarnation (incarnation) {
        incarnation -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    peer_incarnations (subscriber, incarnation) {
        subscriber -> Text,
        incarnation -> Text,
        snapshot_sent -> Bool,
        first_seen_at -> Timestamp,
    }
}

diesel::table! {
    peer_subscriptions (peer) {
        peer -> Text,
        event_types -> Nullable<Text>,
        declared_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}
