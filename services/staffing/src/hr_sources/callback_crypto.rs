//! The callback crypto WeCom and DingTalk share (WeChat's "WXBizMsgCrypt" scheme):
//! - signature: SHA-1 hex of the sorted concatenation of token, timestamp, nonce and the
//!   base64 ciphertext;
//! - cipher: AES-256-CBC, key = base64-decode(EncodingAESKey + "="), IV = key[0..16],
//!   PKCS#7 padding to a multiple of 32 bytes;
//! - plaintext: 16 random bytes | 4-byte big-endian length | message | receive id (the
//!   corp id, or DingTalk's suite key / app key), which must be ours.

use aes::Aes256;
use base64::Engine;
use base64::alphabet::STANDARD as STANDARD_ALPHABET;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

/// The vendors' keys are 43 base64 characters whose last one may carry stray bits.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &STANDARD_ALPHABET,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// The padding block of the scheme (not AES's 16).
const PAD_BLOCK: usize = 32;

/// Why a callback was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("the signature does not match")]
    Signature,
    #[error("the ciphertext is not base64 of whole AES blocks")]
    Ciphertext,
    #[error("the decrypted message is malformed (padding or length)")]
    Plaintext,
    #[error("the message is addressed to another receive id")]
    ReceiveId,
    #[error("the timestamp is missing or outside the tolerance")]
    Timestamp,
}

impl CryptoError {
    /// A short, stable name for metrics.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Signature => "signature",
            Self::Ciphertext | Self::Plaintext => "decrypt",
            Self::ReceiveId => "receive_id",
            Self::Timestamp => "timestamp",
        }
    }
}

/// Checks a signed `timestamp` (Unix time in the vendor's unit: WeCom seconds, DingTalk
/// milliseconds) is within `tolerance_secs` of `now`, either way: a captured callback
/// cannot be replayed later, even though its signature still matches.
pub fn check_timestamp(
    timestamp: &str,
    in_millis: bool,
    now: chrono::DateTime<chrono::Utc>,
    tolerance_secs: u32,
) -> Result<(), CryptoError> {
    let value: i64 = timestamp.parse().map_err(|_| CryptoError::Timestamp)?;
    let millis = if in_millis {
        value
    } else {
        value.checked_mul(1000).ok_or(CryptoError::Timestamp)?
    };
    let skew = now.timestamp_millis().abs_diff(millis);
    if skew <= u64::from(tolerance_secs) * 1000 {
        Ok(())
    } else {
        Err(CryptoError::Timestamp)
    }
}

/// One source's token, AES key and receive id.
#[derive(Clone)]
pub struct CallbackCrypto {
    token: String,
    key: [u8; 32],
    receive_id: String,
}

impl std::fmt::Debug for CallbackCrypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CallbackCrypto(receive_id {})", self.receive_id)
    }
}

impl CallbackCrypto {
    /// From the console's values; the EncodingAESKey must be 43 characters decoding to 32
    /// bytes.
    pub fn new(token: &str, encoding_aes_key: &str, receive_id: &str) -> Result<Self, String> {
        if encoding_aes_key.len() != 43 {
            return Err("encoding_aes_key must be 43 characters".to_owned());
        }
        let key = LENIENT
            .decode(format!("{encoding_aes_key}="))
            .map_err(|e| format!("encoding_aes_key is not base64: {e}"))?;
        let key: [u8; 32] = key
            .try_into()
            .map_err(|_| "encoding_aes_key must decode to 32 bytes".to_owned())?;
        if token.is_empty() {
            return Err("token must not be empty".to_owned());
        }
        if receive_id.is_empty() {
            return Err("receive_id must not be empty".to_owned());
        }
        Ok(Self {
            token: token.to_owned(),
            key,
            receive_id: receive_id.to_owned(),
        })
    }

    /// SHA-1 hex of the sorted token, timestamp, nonce and ciphertext.
    pub fn signature(&self, timestamp: &str, nonce: &str, encrypted: &str) -> String {
        let mut parts = [self.token.as_str(), timestamp, nonce, encrypted];
        parts.sort_unstable();
        let mut sha = Sha1::new();
        for p in parts {
            sha.update(p.as_bytes());
        }
        hex::encode(sha.finalize())
    }

    /// Checks the signature (constant time, case-insensitive hex).
    pub fn verify(
        &self,
        signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypted: &str,
    ) -> Result<(), CryptoError> {
        let expected = self.signature(timestamp, nonce, encrypted);
        let given = signature.to_ascii_lowercase();
        if bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
            Ok(())
        } else {
            Err(CryptoError::Signature)
        }
    }

    /// The message inside `encrypted`, once its receive id is checked to be ours.
    pub fn decrypt(&self, encrypted: &str) -> Result<Vec<u8>, CryptoError> {
        let mut buf = STANDARD
            .decode(encrypted.trim())
            .map_err(|_| CryptoError::Ciphertext)?;
        if buf.is_empty() || buf.len() % 16 != 0 {
            return Err(CryptoError::Ciphertext);
        }
        let plain = cbc::Decryptor::<Aes256>::new((&self.key).into(), self.iv().into())
            .decrypt_padded_mut::<NoPadding>(&mut buf)
            .map_err(|_| CryptoError::Ciphertext)?;
        let pad = usize::from(*plain.last().ok_or(CryptoError::Plaintext)?);
        if !(1..=PAD_BLOCK).contains(&pad) || pad > plain.len() {
            return Err(CryptoError::Plaintext);
        }
        let plain = &plain[..plain.len() - pad];
        let header = plain.get(16..20).ok_or(CryptoError::Plaintext)?;
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let message = plain.get(20..20 + len).ok_or(CryptoError::Plaintext)?;
        let receive_id = &plain[20 + len..];
        if receive_id != self.receive_id.as_bytes() {
            return Err(CryptoError::ReceiveId);
        }
        Ok(message.to_vec())
    }

    /// `message` encrypted for the vendor, with the given 16 random bytes.
    pub fn encrypt_with(&self, message: &[u8], random: [u8; 16]) -> String {
        let len = u32::try_from(message.len()).unwrap_or(u32::MAX);
        let mut buf = Vec::with_capacity(message.len() + 64);
        buf.extend_from_slice(&random);
        buf.extend_from_slice(&len.to_be_bytes());
        buf.extend_from_slice(message);
        buf.extend_from_slice(self.receive_id.as_bytes());
        let pad = PAD_BLOCK - buf.len() % PAD_BLOCK;
        buf.extend(std::iter::repeat_n(pad as u8, pad));
        let n = buf.len();
        let out = cbc::Encryptor::<Aes256>::new((&self.key).into(), self.iv().into())
            .encrypt_padded_mut::<NoPadding>(&mut buf, n)
            .map(<[u8]>::to_vec)
            .unwrap_or_default();
        STANDARD.encode(out)
    }

    /// `message` encrypted with fresh random bytes.
    pub fn encrypt(&self, message: &[u8]) -> String {
        self.encrypt_with(message, rand::random())
    }

    fn iv(&self) -> &[u8; 16] {
        self.key[..16].try_into().unwrap_or(&[0; 16])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WeChat's published sample (official WXBizMsgCrypt test: token `spamtest`, the
    /// key below, app id `wx2c2769f8efd9abc2`): the same scheme as WeCom and DingTalk.
    const SAMPLE_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    const SAMPLE_ENCRYPT: &str = "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=";

    /// Made with Python's `cryptography` (an independent implementation): random bytes
    /// 0..16, receive id `ww1436e0e65a779aee`, token `QDG6eK`, timestamp 1790000000,
    /// nonce 1372623149.
    const OWN_KEY: &str = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt";
    const OWN_ENCRYPT: &str = "v4KnUEEcsXoqbTLvP+jC7hh9Vg4IL6JRrMAjwG1FQCnN86GMJSwM5cu51taEt4JlKwEAXqaCgPfvdCpOA1Llg2EPMldiaDmsjnoYJy3DvZHbhACWwKQ0Ya8bPzIlgKjM13OyIqGI5+3wH4SAVX0dJFl+NpXzrpvL7eK62vKc9c2bZWHGurfj0XTUH4/qKEf3bEXgkkOSvVGfbtv7RidWl00xJNj32DjtWLP2vt67B5RdX+il1U01r6tXPaJfvKdc5rOu06v29q5/G8osEmvtAloJ8A0mnUh1FgqZDBw/KYFSPpbBZ9Z/UWybC5HPrKxvOafrHad3hhZJXkgmOWjFmBx4fuQH+x9Q/OYXDtB+Pz5Hio2Y9GABZxKFvAr0UO4/KwiOwc35C4IIn0ghYbXrWtYPuETTHuMh5fsODyDniedTcIGgwPnEj70ifsCUvcGq6tJlOAEJDA2x6XYtSJdtqA==";
    const OWN_MESSAGE: &str = "<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1790000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event><ChangeType><![CDATA[delete_user]]></ChangeType><UserID><![CDATA[zhangsan]]></UserID></xml>";

    fn own() -> CallbackCrypto {
        CallbackCrypto::new("QDG6eK", OWN_KEY, "ww1436e0e65a779aee").unwrap()
    }

    #[test]
    fn the_published_sample_verifies_and_decrypts() {
        let c = CallbackCrypto::new("spamtest", SAMPLE_KEY, "wx2c2769f8efd9abc2").unwrap();
        let sig = "5d197aaffba7e9b25a30732f161a50dee96bd5fa";
        assert_eq!(
            c.verify(sig, "1409735669", "1320562132", SAMPLE_ENCRYPT),
            Ok(())
        );
        let plain = String::from_utf8(c.decrypt(SAMPLE_ENCRYPT).unwrap()).unwrap();
        assert!(plain.starts_with("<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]>"));
        assert!(plain.contains("<Content><![CDATA[abcdteT]]></Content>"));
    }

    /// WeCom's worked example in its callback documentation (加解密方案说明): token
    /// `QDG6eK`, the key below, corp id `wx5823bf96d3bd56c7`.
    const WECOM_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
    const WECOM_ENCRYPT: &str = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==";

    #[test]
    fn wecoms_documented_example_verifies_and_decrypts_its_message_and_echostr() {
        let c = CallbackCrypto::new("QDG6eK", WECOM_KEY, "wx5823bf96d3bd56c7").unwrap();
        let sig = "477715d11cdb4164915debcba66cb864d751f3e6";
        assert_eq!(
            c.verify(sig, "1409659813", "1372623149", WECOM_ENCRYPT),
            Ok(())
        );
        let plain = String::from_utf8(c.decrypt(WECOM_ENCRYPT).unwrap()).unwrap();
        assert!(
            plain.starts_with("<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]>"),
            "{plain}"
        );
        let echostr = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==";
        let sig = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3";
        assert_eq!(c.verify(sig, "1409659589", "263014780", echostr), Ok(()));
        assert_eq!(c.decrypt(echostr).unwrap(), b"1616140317555161061");
        let other = CallbackCrypto::new("QDG6eK", WECOM_KEY, "ww-another-corp").unwrap();
        assert_eq!(other.decrypt(WECOM_ENCRYPT), Err(CryptoError::ReceiveId));
    }

    /// DingTalk's callback-crypto repository's example.
    #[test]
    fn dingtalks_published_example_verifies_and_decrypts_to_check_url() {
        let c = CallbackCrypto::new(
            "mryue",
            "Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7",
            "ding6ccabc44d2c8d38b",
        )
        .unwrap();
        let encrypt = "0vJiX6vliEpwG3U45CtXqi+m8PXbQRARJ8p8BbDuD1EMTDf0jKpQ79QS93qEk7XHpP6u+oTTrd15NRPvNvmBKyDCYxxOK+HZeKju4yhELOFchzNukR+t8SB/qk4ROMu3";
        let sig = "03044561471240d4a14bb09372dfcfd4fd0e40cb";
        assert_eq!(c.verify(sig, "1608001896814", "WL4PK6yA", encrypt), Ok(()));
        assert_eq!(c.decrypt(encrypt).unwrap(), br#"{"EventType":"check_url"}"#);
        assert_eq!(
            c.verify(sig, "1608001896815", "WL4PK6yA", encrypt),
            Err(CryptoError::Signature)
        );
    }

    #[test]
    fn a_signed_timestamp_is_checked_in_the_vendors_unit_either_way() {
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let ok = |ts: &str, ms| check_timestamp(ts, ms, now, 300);
        assert_eq!(ok("1800000300", false), Ok(()));
        assert_eq!(ok("1799999700", false), Ok(()));
        assert_eq!(ok("1800000301", false), Err(CryptoError::Timestamp));
        assert_eq!(ok("1800000300000", true), Ok(()));
        assert_eq!(ok("1799999699999", true), Err(CryptoError::Timestamp));
        // Seconds read as milliseconds are decades off.
        assert_eq!(ok("1800000000", true), Err(CryptoError::Timestamp));
        for bad in ["", "soon", "-", "99999999999999999999", "1.8e9"] {
            assert_eq!(ok(bad, false), Err(CryptoError::Timestamp), "{bad}");
        }
        assert_eq!(
            ok("9223372036854775807", false),
            Err(CryptoError::Timestamp)
        );
    }

    #[test]
    fn an_independent_vector_verifies_decrypts_and_encrypts_identically() {
        let c = own();
        let sig = "5fac5d1f1fefab0effd375bb9af56a5d38e09088";
        assert_eq!(c.signature("1790000000", "1372623149", OWN_ENCRYPT), sig);
        assert_eq!(c.decrypt(OWN_ENCRYPT).unwrap(), OWN_MESSAGE.as_bytes());
        let random: [u8; 16] = std::array::from_fn(|i| i as u8);
        assert_eq!(c.encrypt_with(OWN_MESSAGE.as_bytes(), random), OWN_ENCRYPT);
    }

    #[test]
    fn round_trips_for_every_length_around_the_padding_block() {
        let c = own();
        for n in 0..80 {
            let msg = vec![b'x'; n];
            assert_eq!(c.decrypt(&c.encrypt(&msg)).unwrap(), msg, "length {n}");
        }
    }

    #[test]
    fn a_tampered_signature_or_ciphertext_or_another_receive_id_is_refused() {
        let c = own();
        let sig = c.signature("1790000000", "1372623149", OWN_ENCRYPT);
        let mut bad = sig.clone();
        bad.replace_range(0..1, if sig.starts_with('0') { "1" } else { "0" });
        let no = Err(CryptoError::Signature);
        assert_eq!(c.verify(&bad, "1790000000", "1372623149", OWN_ENCRYPT), no);
        assert_eq!(c.verify(&sig, "1790000001", "1372623149", OWN_ENCRYPT), no);
        assert_eq!(
            c.verify(&sig[..39], "1790000000", "1372623149", OWN_ENCRYPT),
            no
        );
        assert_eq!(c.verify("", "1790000000", "1372623149", OWN_ENCRYPT), no);
        let other = CallbackCrypto::new("QDG6eK", OWN_KEY, "ww-someone-else").unwrap();
        assert_eq!(other.decrypt(OWN_ENCRYPT), Err(CryptoError::ReceiveId));
        assert_eq!(c.decrypt("not base64!"), Err(CryptoError::Ciphertext));
        assert_eq!(c.decrypt("AAAA"), Err(CryptoError::Ciphertext));
        let wrong_key = CallbackCrypto::new("QDG6eK", SAMPLE_KEY, "ww1436e0e65a779aee").unwrap();
        assert!(wrong_key.decrypt(OWN_ENCRYPT).is_err());
    }

    #[test]
    fn a_bad_key_is_refused_at_start() {
        assert!(CallbackCrypto::new("t", "short", "r").is_err());
        assert!(CallbackCrypto::new("t", &"!".repeat(43), "r").is_err());
        assert!(CallbackCrypto::new("", OWN_KEY, "r").is_err());
        assert!(CallbackCrypto::new("t", OWN_KEY, "").is_err());
    }
}
