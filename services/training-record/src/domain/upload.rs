//! Resumable uploads by the tus 1.0 protocol (core, creation, termination, expiration):
//! the headers it speaks, read strictly, and the state an upload carries between requests.

use std::collections::BTreeMap;

use base64::Engine;
use chrono::{DateTime, Utc};
use continuity_shared::{FieldError, text};
use sha2_resumable::digest::common::hazmat::{SerializableState, SerializedState};
use sha2_resumable::{Digest, Sha256};

use super::ids::{SessionId, UploadId};
use super::material::{MaterialKind, check_duration, parse_filename};

/// The protocol version spoken, and the only one accepted in `Tus-Resumable`.
pub const TUS_VERSION: &str = "1.0.0";
/// The extensions offered in `Tus-Extension`.
pub const TUS_EXTENSIONS: &str = "creation,termination,expiration";
/// The only body type a `PATCH` takes.
pub const OFFSET_OCTET_STREAM: &str = "application/offset+octet-stream";

/// What the client said about the file when it created the upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    pub filename: String,
    pub content_type: String,
    pub kind: MaterialKind,
    pub duration_seconds: Option<u32>,
}

/// An upload under way (or finished, until it expires).
#[derive(Debug, Clone)]
pub struct Upload {
    pub upload_id: UploadId,
    pub session_id: SessionId,
    pub file: Described,
    pub length: u64,
    pub offset: u64,
    pub hash: HashState,
    pub completed: bool,
    pub expires_at: DateTime<Utc>,
}

/// A SHA-256 of the bytes received so far, which can be stored and continued later.
#[derive(Debug, Clone, Default)]
pub struct HashState(Sha256);

impl HashState {
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The state as stored between requests (hex).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.serialize())
    }

    pub fn from_hex(raw: &str) -> Option<Self> {
        let bytes = hex::decode(raw).ok()?;
        let state = SerializedState::<Sha256>::try_from(bytes.as_slice()).ok()?;
        Sha256::deserialize(&state).ok().map(Self)
    }

    /// The hex digest of everything received.
    pub fn finish(self) -> String {
        hex::encode(self.0.finalize())
    }
}

/// A length or offset header: decimal digits only.
pub fn parse_size(raw: &str) -> Option<u64> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok()
}

fn metadata_error(key: &str) -> FieldError {
    FieldError::new(
        "Upload-Metadata",
        text!(
            "must be comma-separated `key base64(value)` pairs with UTF-8 values; `{key}` is not",
            "须为以逗号分隔的 `键 base64(值)` 对，值须为 UTF-8；`{key}` 不符合"
        ),
    )
}

/// `Upload-Metadata`: comma-separated pairs of a key and its Base64 value (a key alone has
/// an empty value); keys unique.
pub fn parse_metadata(raw: &str) -> Result<BTreeMap<String, String>, FieldError> {
    let mut out = BTreeMap::new();
    for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut parts = pair.split(' ');
        let key = parts.next().unwrap_or_default();
        let value = parts.next().unwrap_or_default();
        if key.is_empty() || parts.next().is_some() {
            return Err(metadata_error(pair));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(value)
            .map_err(|_| metadata_error(key))?;
        let value = String::from_utf8(bytes).map_err(|_| metadata_error(key))?;
        if out.insert(key.to_owned(), value).is_some() {
            return Err(metadata_error(key));
        }
    }
    Ok(out)
}

/// The file as the metadata describes it: `filename` (or `name`, as Uppy sends),
/// `filetype` (or `type`) as a `type/subtype`, `kind` and a recording's
/// `duration_seconds`; other keys (Uppy's `relativePath`, …) are ignored.
pub fn describe(meta: &BTreeMap<String, String>) -> Result<Described, Vec<FieldError>> {
    let get = |a: &str, b: &str| meta.get(a).or_else(|| meta.get(b)).map(String::as_str);
    let mut errors = Vec::new();
    let filename = parse_filename(get("filename", "name").unwrap_or(""))
        .map_err(|e| errors.push(e))
        .ok();
    let content_type = match get("filetype", "type") {
        None | Some("") => Some("application/octet-stream".to_owned()),
        Some(t) => match t.parse::<mime::Mime>() {
            Ok(m) => Some(m.essence_str().to_owned()),
            Err(_) => {
                errors.push(FieldError::new(
                    "filetype",
                    text!(
                        "must be a media type such as video/mp4",
                        "须为媒体类型，如 video/mp4"
                    ),
                ));
                None
            }
        },
    };
    let kind = match meta.get("kind").map(String::as_str) {
        None => content_type.as_deref().map(MaterialKind::default_for),
        Some(k) => MaterialKind::parse(k)
            .ok_or_else(|| {
                errors.push(FieldError::new(
                    "kind",
                    text!(
                        "must be video, slides or document",
                        "须为 video、slides 或 document"
                    ),
                ))
            })
            .ok(),
    };
    let duration_seconds = match meta.get("duration_seconds") {
        None => None,
        Some(d) => check_duration(d.parse::<u32>().unwrap_or(0))
            .map_err(|e| errors.push(e))
            .ok(),
    };
    match (filename, content_type, kind) {
        (Some(filename), Some(content_type), Some(kind)) if errors.is_empty() => Ok(Described {
            filename,
            content_type,
            kind,
            duration_seconds,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn metadata_is_read_as_tus_clients_send_it() {
        let raw = format!(
            "filename {},filetype {},is_confidential",
            b64("会议 1.mp4"),
            b64("video/mp4")
        );
        let meta = parse_metadata(&raw).unwrap();
        assert_eq!(meta["filename"], "会议 1.mp4");
        assert_eq!(meta["is_confidential"], "");
        let d = describe(&meta).unwrap();
        assert_eq!(
            (d.kind, d.content_type.as_str(), d.duration_seconds),
            (MaterialKind::Video, "video/mp4", None)
        );
    }

    #[test]
    fn bad_metadata_is_refused() {
        let v = b64("v");
        for raw in [
            "filename !!!".to_owned(),
            format!("a {v} c"),
            format!("k {v},k {v}"),
        ] {
            assert!(parse_metadata(&raw).is_err(), "{raw}");
        }
        let meta = parse_metadata(&format!("name {},kind {}", b64("a/b"), b64("film"))).unwrap();
        assert_eq!(describe(&meta).unwrap_err().len(), 2);
    }

    #[test]
    fn sizes_are_plain_decimal_numbers() {
        assert_eq!(parse_size("1024"), Some(1024));
        for bad in ["", "-1", "+1", "1e3", " 1", "99999999999999999999"] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_stored_hash_state_continues_to_the_same_digest() {
        let mut whole = HashState::default();
        whole.update(b"hello, resumable world");
        let mut first = HashState::default();
        first.update(b"hello, ");
        let mut resumed = HashState::from_hex(&first.to_hex()).unwrap();
        resumed.update(b"resumable world");
        assert_eq!(resumed.finish(), whole.finish());
        assert!(HashState::from_hex("00").is_none());
    }
}
