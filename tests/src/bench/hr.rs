//! The generic HR webhook's deliveries as the benchmarks send them: `employee.hired`
//! events for new employees, each with its own `webhook-id`, signed per Standard Webhooks.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::Presigned;

/// The key the HR system signs with (its secret is `whsec_` + this in base64).
pub const HR_KEY: &[u8] = b"continuity-bench-hr-webhook-key!";

/// `CONTINUITY_HR_WEBHOOK_SECRET` for [`HR_KEY`].
pub fn hr_secret() -> String {
    format!("whsec_{}", STANDARD.encode(HR_KEY))
}

/// `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` with the bench's key.
pub fn sign(id: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(HR_KEY).unwrap();
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// An `employee.hired` event for a new employee `H<n>` in sales.
pub fn hired(n: usize) -> String {
    format!(
        r#"{{"type":"employee.hired","data":{{"employee_id":"H{n}","name":"Person {n}","department_code":"sales","hire_date":"2020-01-01"}}}}"#
    )
}

/// How many distinct deliveries to sign for `seconds` of load: more than the service can
/// take in the time (the fastest machine yet took 8,500 HR events/s on SQLite), since a
/// repeated `webhook-id` is a redelivery, acknowledged with 200 and no new hire.
pub fn deliveries_for(seconds: u64) -> usize {
    seconds as usize * 20_000 + 2_000
}

/// Deliveries `msg_bench_0`… of [`hired`] events, signed at `timestamp` (Unix seconds).
pub fn hired_deliveries(count: usize, timestamp: i64) -> Vec<Presigned> {
    (0..count)
        .map(|n| {
            let id = format!("msg_bench_{n}");
            let body = hired(n);
            let signature = sign(&id, timestamp, &body);
            Presigned {
                path: "/v1/hr/events".to_owned(),
                headers: vec![
                    ("Content-Type".to_owned(), "application/json".to_owned()),
                    ("webhook-id".to_owned(), id),
                    ("webhook-timestamp".to_owned(), timestamp.to_string()),
                    ("webhook-signature".to_owned(), signature),
                ],
                body,
            }
        })
        .collect()
}
