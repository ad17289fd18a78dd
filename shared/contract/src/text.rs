//! Bounded free text carried in payloads: names and reasons.
//!
//! Text from one service ends up in another's pages, logs and printed notices, so it is
//! limited in length and free of control characters that could forge log lines or break
//! a layout.

use serde::Serialize;
use utoipa::PartialSchema;
use utoipa::openapi::{RefOr, schema::Schema};

use crate::newtype::{string_newtype, string_schema};

/// Why a text was refused. The platform renders it in the caller's language with the
/// English `Display` text and [`TextError::zh`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {max} characters")]
    TooLong { max: usize },
    #[error("must not contain control characters")]
    Control,
    #[error("must not contain control characters other than a line break")]
    ControlExceptLineBreak,
}

impl TextError {
    /// The same reason in Chinese.
    pub fn zh(self) -> String {
        match self {
            TextError::Empty => "不能为空".to_owned(),
            TextError::TooLong { max } => format!("不能超过 {max} 个字符"),
            TextError::Control => "不能包含控制字符".to_owned(),
            TextError::ControlExceptLineBreak => "除换行外不能包含控制字符".to_owned(),
        }
    }
}

/// Trims `raw` and checks its length in characters (not bytes, so Chinese text gets the
/// same allowance as English) and its control characters.
fn bounded(raw: &str, max: usize, line_breaks: bool) -> Result<String, TextError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(TextError::Empty);
    }
    if text.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    if text
        .chars()
        .any(|c| c.is_control() && !(line_breaks && c == '\n'))
    {
        return Err(if line_breaks {
            TextError::ControlExceptLineBreak
        } else {
            TextError::Control
        });
    }
    Ok(text.to_owned())
}

/// A person's, department's or project's name: trimmed, 1 to 200 characters, one line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Name(String);

impl Name {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, TextError> {
        bounded(raw, Self::MAX_CHARS, false).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_newtype!(Name, TextError);

impl PartialSchema for Name {
    fn schema() -> RefOr<Schema> {
        string_schema("A name: trimmed, one line, no control characters.")
            .min_length(Some(1))
            .max_length(Some(Name::MAX_CHARS))
            .into()
    }
}

/// Why something happened, in words: trimmed, 1 to 2000 characters, line breaks (`\n`)
/// allowed but no other control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Reason(String);

impl Reason {
    pub const MAX_CHARS: usize = 2000;

    pub fn parse(raw: &str) -> Result<Self, TextError> {
        bounded(raw, Self::MAX_CHARS, true).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_newtype!(Reason, TextError);

impl PartialSchema for Reason {
    fn schema() -> RefOr<Schema> {
        string_schema("A reason in words: trimmed; `\\n` is the only control character allowed.")
            .min_length(Some(1))
            .max_length(Some(Reason::MAX_CHARS))
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_counted_in_characters() {
        assert_eq!(Name::parse("  Ann Lee \n").unwrap().as_str(), "Ann Lee");
        assert!(Name::parse(&"张".repeat(200)).is_ok());
        assert_eq!(
            Name::parse(&"张".repeat(201)),
            Err(TextError::TooLong { max: 200 })
        );
    }

    #[test]
    fn names_refuse_blank_text_and_control_characters() {
        assert_eq!(Name::parse(""), Err(TextError::Empty));
        assert_eq!(Name::parse(" \t "), Err(TextError::Empty));
        for bad in ["Ann\nLee", "Ann\u{1b}[31m", "A\u{0}", "A\u{85}B", "A\rB"] {
            assert_eq!(Name::parse(bad), Err(TextError::Control), "{bad:?}");
        }
    }

    #[test]
    fn reasons_keep_line_breaks_but_refuse_other_control_characters() {
        assert_eq!(
            Reason::parse("moved\nabroad").unwrap().as_str(),
            "moved\nabroad"
        );
        for bad in ["a\r\nb", "a\tb", "a\u{7f}"] {
            assert_eq!(
                Reason::parse(bad),
                Err(TextError::ControlExceptLineBreak),
                "{bad:?}"
            );
        }
        assert!(Reason::parse(&"x".repeat(2000)).is_ok());
        assert!(Reason::parse(&"x".repeat(2001)).is_err());
    }

    #[test]
    fn text_deserializes_only_through_parse() {
        let name: Name = serde_json::from_str("\" Ann \"").unwrap();
        assert_eq!(serde_json::to_string(&name).unwrap(), "\"Ann\"");
        let err = serde_json::from_str::<Name>("\"A\\u0007\"").unwrap_err();
        assert!(err.to_string().contains("control characters"), "{err}");
        assert!(serde_json::from_str::<Reason>("\"\"").is_err());
        assert!(serde_json::from_str::<Reason>("null").is_err());
    }

    #[test]
    fn every_text_error_has_a_chinese_text() {
        assert_eq!(TextError::TooLong { max: 200 }.zh(), "不能超过 200 个字符");
        assert!(!TextError::Control.zh().is_empty());
    }
}
