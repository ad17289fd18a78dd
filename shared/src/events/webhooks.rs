//! Webhook subscriptions of the CRM, and signing per Standard Webhooks.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{webhook_attempts as wa, webhook_subscriptions as ws};
use crate::db::DbConnection;
use crate::error::{ApiError, ApiResult};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ws)]
pub struct SubscriptionRow {
    pub id: String,
    pub url: String,
    pub event_types: String,
    pub secret: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

impl SubscriptionRow {
    pub fn event_types(&self) -> Vec<String> {
        serde_json::from_str(&self.event_types).unwrap_or_default()
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = wa)]
pub struct AttemptRow {
    pub id: String,
    pub subscription_id: String,
    pub event_id: String,
    pub event_type: String,
    pub attempted_at: NaiveDateTime,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

pub fn insert(conn: &mut DbConnection, row: &SubscriptionRow) -> ApiResult<()> {
    diesel::insert_into(ws::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> ApiResult<Option<SubscriptionRow>> {
    Ok(ws::table
        .find(id)
        .select(SubscriptionRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn list_active(
    conn: &mut DbConnection,
    after: Option<&str>,
    limit: i64,
) -> ApiResult<Vec<SubscriptionRow>> {
    let mut q = ws::table
        .filter(ws::active.eq(true))
        .order(ws::id.asc())
        .limit(limit)
        .select(SubscriptionRow::as_select())
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(ws::id.gt(a.to_owned()));
    }
    Ok(q.load(conn)?)
}

pub fn deactivate(conn: &mut DbConnection, id: &str) -> ApiResult<bool> {
    let n = diesel::update(ws::table.find(id).filter(ws::active.eq(true)))
        .set(ws::active.eq(false))
        .execute(conn)?;
    Ok(n > 0)
}

pub fn log_attempt(conn: &mut DbConnection, row: &AttemptRow) -> ApiResult<()> {
    diesel::insert_into(wa::table).values(row).execute(conn)?;
    Ok(())
}

/// Attempts of one subscription, newest first, before the attempt id `before`.
pub fn attempts(
    conn: &mut DbConnection,
    subscription_id: &str,
    before: Option<&str>,
    limit: i64,
) -> ApiResult<Vec<AttemptRow>> {
    let mut q = wa::table
        .filter(wa::subscription_id.eq(subscription_id.to_owned()))
        .order(wa::id.desc())
        .limit(limit)
        .select(AttemptRow::as_select())
        .into_boxed();
    if let Some(b) = before {
        q = q.filter(wa::id.lt(b.to_owned()));
    }
    Ok(q.load(conn)?)
}

/// A fresh signing secret: `whsec_` and 24 random bytes in base64.
pub fn new_secret() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut key = [0u8; 24];
    rand::rng().fill_bytes(&mut key);
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(key)
    )
}

/// The `webhook-signature` header value for a message.
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &[u8]) -> ApiResult<String> {
    standardwebhooks::Webhook::new(secret)
        .and_then(|w| w.sign(msg_id, timestamp, body))
        .map_err(|e| ApiError::internal(format!("webhook signing: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_the_standard_webhooks_scheme() {
        // The example of the Standard Webhooks specification.
        let sig = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn new_secrets_are_random_and_well_formed() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert!(a.starts_with("whsec_"));
        assert!(standardwebhooks::Webhook::new(&a).is_ok());
    }
}
