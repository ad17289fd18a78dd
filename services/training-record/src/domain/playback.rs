//! Signed playback URLs: a `<video>` element cannot send a bearer token, so an authorized
//! caller gets a short-lived URL whose signature (HMAC-SHA256 over `"{id}:{expires}"`)
//! stands in for one.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::ids::MaterialId;

type HmacSha256 = Hmac<Sha256>;

/// The key signatures are made with: derived from a configured secret, never the secret
/// itself.
#[derive(Clone)]
pub struct PlaybackKey([u8; 32]);

impl std::fmt::Debug for PlaybackKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PlaybackKey(..)")
    }
}

/// Why a signature is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Expired,
    BadSignature,
}

impl PlaybackKey {
    /// The key derived from `secret` (HMAC-SHA256 of a fixed label under the secret), so
    /// the same secret on every replica gives the same key.
    pub fn derive(secret: &[u8]) -> Self {
        let mut mac = mac(secret);
        mac.update(b"continuity training-record playback v1");
        Self(mac.finalize().into_bytes().into())
    }

    /// The hex signature of `id` until `expires` (Unix seconds).
    pub fn sign(&self, id: &MaterialId, expires: i64) -> String {
        let mut mac = mac(&self.0);
        mac.update(format!("{id}:{expires}").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Whether `signature` is this key's for `id` and `expires`, and `now` (Unix seconds)
    /// is not past `expires`. The comparison takes the same time wherever it differs.
    pub fn verify(
        &self,
        id: &MaterialId,
        expires: i64,
        signature: &str,
        now: i64,
    ) -> Result<(), Refused> {
        let Ok(given) = hex::decode(signature) else {
            return Err(Refused::BadSignature);
        };
        let mut mac = mac(&self.0);
        mac.update(format!("{id}:{expires}").as_bytes());
        mac.verify_slice(&given)
            .map_err(|_| Refused::BadSignature)?;
        if now > expires {
            return Err(Refused::Expired);
        }
        Ok(())
    }
}

#[allow(clippy::expect_used, reason = "HMAC takes a key of any length")]
fn mac(key: &[u8]) -> HmacSha256 {
    HmacSha256::new_from_slice(key).expect("HMAC takes a key of any length")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_holds_for_its_material_until_it_expires() {
        let key = PlaybackKey::derive(b"secret");
        let (id, other) = (MaterialId::new(), MaterialId::new());
        let sig = key.sign(&id, 1_000);
        assert_eq!(sig.len(), 64);
        assert_eq!(key.verify(&id, 1_000, &sig, 999), Ok(()));
        assert_eq!(key.verify(&id, 1_000, &sig, 1_000), Ok(()));
        assert_eq!(key.verify(&id, 1_000, &sig, 1_001), Err(Refused::Expired));
        assert_eq!(
            key.verify(&other, 1_000, &sig, 999),
            Err(Refused::BadSignature)
        );
        assert_eq!(
            key.verify(&id, 2_000, &sig, 999),
            Err(Refused::BadSignature)
        );
        let mut tampered = sig.clone();
        tampered.replace_range(0..1, if sig.starts_with('0') { "1" } else { "0" });
        assert_eq!(
            key.verify(&id, 1_000, &tampered, 999),
            Err(Refused::BadSignature)
        );
        assert_eq!(
            key.verify(&id, 1_000, "not hex", 999),
            Err(Refused::BadSignature)
        );
        assert_eq!(
            PlaybackKey::derive(b"other").verify(&id, 1_000, &sig, 999),
            Err(Refused::BadSignature)
        );
    }

    #[test]
    fn the_key_is_derived_the_same_way_from_the_same_secret() {
        let id = MaterialId::new();
        assert_eq!(
            PlaybackKey::derive(b"s").sign(&id, 5),
            PlaybackKey::derive(b"s").sign(&id, 5)
        );
    }
}
