//! The HR webhook's signature, per Standard Webhooks: `webhook-signature` holds one or
//! more space-separated `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{raw body}">`, keyed
//! by any of the configured secrets; `webhook-timestamp` (Unix seconds) within five
//! minutes of now either way. Comparisons are constant-time and check the length, so an
//! empty `v1,` matches nothing.

use actix_web::HttpRequest;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use continuity_shared::{ApiError, text};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far `webhook-timestamp` may be from now, either way.
pub const TOLERANCE_SECONDS: i64 = 300;

/// The key bytes of every configured HR webhook secret (`hr_webhook_secret` and
/// `hr_webhook_secrets`), decoded once at start-up.
#[derive(Clone, Default)]
pub struct HrWebhookKeys(pub Vec<Vec<u8>>);

impl std::fmt::Debug for HrWebhookKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HrWebhookKeys({} keys)", self.0.len())
    }
}

/// Why a delivery was refused (all answered 401; the reason is logged, not told).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("header {0} is missing or not a short visible ASCII value")]
    Header(&'static str),
    #[error("webhook-timestamp is not Unix seconds")]
    Timestamp,
    #[error("webhook-timestamp is more than {TOLERANCE_SECONDS} s from now")]
    OutsideTolerance,
    #[error("no HR webhook secret is configured")]
    NoSecret,
    #[error("no signature matches")]
    NoMatch,
}

impl From<SignatureError> for ApiError {
    fn from(e: SignatureError) -> Self {
        tracing::info!(hr_webhook.refused = %e, "HR webhook delivery refused");
        ApiError::unauthorized(text!(
            "The webhook signature is missing, invalid or too old.",
            "Webhook 签名缺失、无效或已过期。"
        ))
    }
}

/// Checks the headers of a delivery against its raw body; its `webhook-id` when valid.
pub fn verify_request(
    req: &HttpRequest,
    body: &[u8],
    keys: &HrWebhookKeys,
    now: DateTime<Utc>,
) -> Result<String, SignatureError> {
    let header = |name: &'static str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .filter(|v| (1..=4096).contains(&v.len()))
            .ok_or(SignatureError::Header(name))
    };
    let id = header("webhook-id")?;
    if id.len() > 255 || !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(SignatureError::Header("webhook-id"));
    }
    let timestamp = header("webhook-timestamp")?;
    let signatures = header("webhook-signature")?;
    verify(&keys.0, id, timestamp, signatures, body, now.timestamp())?;
    Ok(id.to_owned())
}

/// The signature check itself, free of HTTP.
pub fn verify(
    keys: &[Vec<u8>],
    id: &str,
    timestamp: &str,
    signatures: &str,
    body: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    let sent: i64 = timestamp.parse().map_err(|_| SignatureError::Timestamp)?;
    if sent.abs_diff(now) > TOLERANCE_SECONDS.unsigned_abs() {
        return Err(SignatureError::OutsideTolerance);
    }
    if keys.is_empty() {
        return Err(SignatureError::NoSecret);
    }
    let candidates: Vec<Vec<u8>> = signatures
        .split_ascii_whitespace()
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|b64| STANDARD.decode(b64).ok())
        .collect();
    let matches = keys.iter().any(|key| {
        candidates.iter().any(|sig| {
            let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
                return false;
            };
            mac.update(id.as_bytes());
            mac.update(b".");
            mac.update(timestamp.as_bytes());
            mac.update(b".");
            mac.update(body);
            // Constant time, and false for a signature of any other length.
            mac.verify_slice(sig).is_ok()
        })
    });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::NoMatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_790_000_000;

    fn sign(key: &[u8], id: &str, ts: &str, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
        mac.update(format!("{id}.{ts}.").as_bytes());
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }

    fn keys() -> Vec<Vec<u8>> {
        vec![
            b"old secret, 16+ bytes".to_vec(),
            b"new secret, 16+ bytes".to_vec(),
        ]
    }

    #[test]
    fn a_signature_by_any_configured_key_is_accepted() {
        let ts = NOW.to_string();
        for key in keys() {
            let sig = sign(&key, "msg_1", &ts, b"{}");
            assert_eq!(verify(&keys(), "msg_1", &ts, &sig, b"{}", NOW), Ok(()));
        }
    }

    #[test]
    fn one_good_signature_among_several_is_enough() {
        let ts = NOW.to_string();
        let good = sign(&keys()[1], "msg_1", &ts, b"{}");
        let header = format!("v1,AAAA v1a,xyz {good}");
        assert_eq!(verify(&keys(), "msg_1", &ts, &header, b"{}", NOW), Ok(()));
    }

    #[test]
    fn a_tampered_body_an_other_id_or_a_wrong_key_fail() {
        let ts = NOW.to_string();
        let sig = sign(&keys()[0], "msg_1", &ts, b"{}");
        let no = Err(SignatureError::NoMatch);
        assert_eq!(verify(&keys(), "msg_1", &ts, &sig, b"{ }", NOW), no);
        assert_eq!(verify(&keys(), "msg_2", &ts, &sig, b"{}", NOW), no);
        let wrong = sign(b"some other secret!!", "msg_1", &ts, b"{}");
        assert_eq!(verify(&keys(), "msg_1", &ts, &wrong, b"{}", NOW), no);
    }

    #[test]
    fn an_empty_or_truncated_signature_fails() {
        let ts = NOW.to_string();
        let sig = sign(&keys()[0], "msg_1", &ts, b"{}");
        let no = Err(SignatureError::NoMatch);
        for bad in [
            "v1,",
            "v1",
            "",
            &sig[..sig.len() - 8],
            "v1,====",
            &sig.replace("v1,", "v2,"),
        ] {
            assert_eq!(verify(&keys(), "msg_1", &ts, bad, b"{}", NOW), no, "{bad}");
        }
    }

    #[test]
    fn the_timestamp_may_be_300_seconds_off_either_way_and_no_more() {
        for (offset, ok) in [
            (-300, true),
            (-299, true),
            (300, true),
            (-301, false),
            (301, false),
        ] {
            let ts = (NOW + offset).to_string();
            let sig = sign(&keys()[0], "msg_1", &ts, b"{}");
            let got = verify(&keys(), "msg_1", &ts, &sig, b"{}", NOW);
            assert_eq!(got.is_ok(), ok, "offset {offset}");
        }
        let sig = sign(&keys()[0], "msg_1", "soon", b"{}");
        assert_eq!(
            verify(&keys(), "msg_1", "soon", &sig, b"{}", NOW),
            Err(SignatureError::Timestamp)
        );
    }

    #[test]
    fn without_a_configured_key_nothing_is_accepted() {
        let ts = NOW.to_string();
        let sig = sign(&keys()[0], "msg_1", &ts, b"{}");
        assert_eq!(
            verify(&[], "msg_1", &ts, &sig, b"{}", NOW),
            Err(SignatureError::NoSecret)
        );
    }
}
