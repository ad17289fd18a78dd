//! Materials of a session: the recording, slides, documents, or a link to a video
//! platform the company already uses.

use continuity_shared::{FieldError, text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ids::{MaterialId, SessionId};

/// The longest recording the suite accepts a duration for: two days, in seconds.
pub const MAX_DURATION_SECONDS: u32 = 48 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MaterialKind {
    Video,
    Slides,
    Document,
}

impl MaterialKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MaterialKind::Video => "video",
            MaterialKind::Slides => "slides",
            MaterialKind::Document => "document",
        }
    }

    /// The kind of an upload that names none: a video for `video/*`, else a document.
    pub fn default_for(content_type: &str) -> Self {
        if content_type.starts_with("video/") {
            MaterialKind::Video
        } else {
            MaterialKind::Document
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "video" => Some(MaterialKind::Video),
            "slides" => Some(MaterialKind::Slides),
            "document" => Some(MaterialKind::Document),
            _ => None,
        }
    }
}

/// Where a material's content is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Content {
    /// A file the suite keeps, under `key` in its storage.
    Stored {
        key: String,
        size_bytes: u64,
        sha256: String,
        content_type: String,
    },
    /// A link to the company's video platform.
    Link { url: String },
}

/// A material; serialized as the audit trail records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Material {
    pub material_id: MaterialId,
    pub session_id: SessionId,
    pub kind: MaterialKind,
    pub filename: String,
    pub content: Content,
    /// A recording's length: what watching is measured against.
    pub duration_seconds: Option<u32>,
}

/// A link must be http(s) with a host, at most 2,000 characters.
pub fn parse_link(raw: &str) -> Result<String, FieldError> {
    let bad = || {
        FieldError::new(
            "url",
            text!(
                "must be an http or https URL of at most 2000 characters",
                "须为不超过 2000 个字符的 http 或 https 地址"
            ),
        )
    };
    if raw.len() > 2000 {
        return Err(bad());
    }
    let url = url::Url::parse(raw).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad());
    }
    Ok(url.to_string())
}

/// A file name as shown and offered for download: 1 to 255 characters, no path, no
/// control characters.
pub fn parse_filename(raw: &str) -> Result<String, FieldError> {
    let ok = !raw.is_empty()
        && raw.chars().count() <= 255
        && !raw
            .chars()
            .any(|c| c.is_control() || c == '/' || c == '\\' || c == '"')
        && raw != "."
        && raw != "..";
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(FieldError::new(
            "filename",
            text!(
                "must be 1 to 255 characters without '/', '\\', '\"' or control characters",
                "须为 1 到 255 个字符，不含 '/'、'\\'、'\"' 或控制字符"
            ),
        ))
    }
}

/// A duration of 1 second to two days.
pub fn check_duration(seconds: u32) -> Result<u32, FieldError> {
    if (1..=MAX_DURATION_SECONDS).contains(&seconds) {
        Ok(seconds)
    } else {
        Err(FieldError::new(
            "duration_seconds",
            text!(
                "must be from 1 to {MAX_DURATION_SECONDS}",
                "须在 1 到 {MAX_DURATION_SECONDS} 之间"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_links_are_registered() {
        assert!(parse_link("https://video.example.com/v/1").is_ok());
        assert!(parse_link("javascript:alert(1)").is_err());
        assert!(parse_link("file:///etc/passwd").is_err());
        assert!(parse_link(&format!("https://x.example/{}", "a".repeat(2000))).is_err());
    }

    #[test]
    fn file_names_carry_no_path_or_header_breaking_characters() {
        assert!(parse_filename("会议录像 1.webm").is_ok());
        for bad in ["", "..", "a/b", "a\\b", "a\"b", "a\r\nb"] {
            assert!(parse_filename(bad).is_err(), "{bad:?}");
        }
    }
}
