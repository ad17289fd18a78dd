//! Identifier newtypes every service shares: parsed once at the edge, valid ever after.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The HR system's own id for a person: 1 to 64 characters of `A-Za-z0-9._-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct EmployeeId(String);

/// A department code such as `sales` or `after_sales`: 1 to 64 characters of `a-z0-9_-`,
/// starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct DepartmentCode(String);

/// Why an identifier was refused; rendered in the caller's language by [`crate::i18n`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-'")]
    EmployeeId,
    #[error("must be 1 to 64 characters of a-z, 0-9, '_' or '-', starting with a letter")]
    DepartmentCode,
}

impl IdError {
    /// The reason in every language the suite speaks.
    pub fn text(self) -> crate::i18n::Text {
        let zh = match self {
            IdError::EmployeeId => "须为 1 到 64 个字母、数字、'.'、'_' 或 '-'",
            IdError::DepartmentCode => "须为 1 到 64 个小写字母、数字、'_' 或 '-'，且以字母开头",
        };
        crate::i18n::Text::new(self.to_string(), zh)
    }

    /// A 422 naming `field`.
    pub fn at(self, field: &str) -> crate::error::ApiError {
        crate::error::ApiError::invalid_field(field, self.text())
    }
}

impl EmployeeId {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        let ok = (1..=64).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(IdError::EmployeeId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl DepartmentCode {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        let ok = (1..=64).contains(&raw.len())
            && raw.as_bytes()[0].is_ascii_lowercase()
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'));
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(IdError::DepartmentCode)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_id_impls {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl From<$t> for String {
            fn from(id: $t) -> String {
                id.0
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                Self::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}
string_id_impls!(EmployeeId);
string_id_impls!(DepartmentCode);

/// A fresh, time-ordered id for something the suite creates.
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn employee_ids_accept_hr_style_ids_and_refuse_others() {
        assert!(EmployeeId::parse("E-1001.a_b").is_ok());
        assert!(EmployeeId::parse("").is_err());
        assert!(EmployeeId::parse(&"x".repeat(65)).is_err());
        assert!(EmployeeId::parse("a b").is_err());
        assert!(EmployeeId::parse("张三").is_err());
    }

    #[test]
    fn department_codes_are_lower_case_and_start_with_a_letter() {
        assert!(DepartmentCode::parse("after_sales").is_ok());
        assert!(DepartmentCode::parse("Sales").is_err());
        assert!(DepartmentCode::parse("1sales").is_err());
        assert!(DepartmentCode::parse("").is_err());
    }
}
