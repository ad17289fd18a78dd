//! Identifier newtypes every service shares: parsed once at the edge, valid ever after.
//!
//! People and departments are named by strings the HR system chose; everything the suite
//! creates is a UUID. Either way the id ends up in paths, subjects and configuration
//! keys, so each type refuses anything that could break out of those.

use serde::Serialize;
use utoipa::PartialSchema;
use utoipa::openapi::{RefOr, schema::Schema};

use crate::newtype::{string_newtype, string_schema};

mod uuids;

pub use uuids::{HandoverId, NoticeId, ProcessChangeId, ProjectId, new_id};

/// Why an identifier was refused. The platform renders it in the caller's language with
/// the English `Display` text and [`IdError::zh`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-', and not '.' or '..'")]
    EmployeeId,
    #[error("must be 1 to 64 characters of a-z, 0-9, '_' or '-', starting with a letter")]
    DepartmentCode,
    #[error(
        "must be 1 to 40 characters of a-z, 0-9 or '-', starting with a letter and not ending with '-'"
    )]
    ServiceName,
    #[error("must be a UUID written as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")]
    Uuid,
}

impl IdError {
    /// The same reason in Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            IdError::EmployeeId => {
                "须为 1 到 64 个字母、数字、'.'、'_' 或 '-'，且不能是 '.' 或 '..'"
            }
            IdError::DepartmentCode => "须为 1 到 64 个小写字母、数字、'_' 或 '-'，且以字母开头",
            IdError::ServiceName => {
                "须为 1 到 40 个小写字母、数字或 '-'，以字母开头，且不以 '-' 结尾"
            }
            IdError::Uuid => "须为 xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx 形式的 UUID",
        }
    }
}

/// The HR system's own id for a person: 1 to 64 characters of `A-Za-z0-9._-`, never `.`
/// or `..` (it is used as a path segment).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct EmployeeId(String);

impl EmployeeId {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        let ok = (1..=64).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
            // Both are legal characters but mean "here" and "up" in a path or file name.
            && raw != "."
            && raw != "..";
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

string_newtype!(EmployeeId, IdError);

impl PartialSchema for EmployeeId {
    fn schema() -> RefOr<Schema> {
        string_schema("The HR system's own id for a person; never `.` or `..`.")
            .pattern(Some("^[A-Za-z0-9._-]{1,64}$"))
            .examples(["E-1001"])
            .into()
    }
}

/// A department code such as `sales` or `after_sales`: 1 to 64 characters of `a-z0-9_-`,
/// starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct DepartmentCode(String);

impl DepartmentCode {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        let ok = (1..=64).contains(&raw.len())
            && raw.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
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

string_newtype!(DepartmentCode, IdError);

impl PartialSchema for DepartmentCode {
    fn schema() -> RefOr<Schema> {
        string_schema("A department's code.")
            .pattern(Some("^[a-z][a-z0-9_-]{0,63}$"))
            .examples(["after_sales"])
            .into()
    }
}

/// The name of one of the suite's services, or of a peer in configuration: 1 to 40
/// characters of `a-z0-9-`, starting with a letter and not ending with `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ServiceName(String);

impl ServiceName {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        let ok = (1..=40).contains(&raw.len())
            && raw.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
            && !raw.ends_with('-')
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(IdError::ServiceName)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as a configuration section or key: `-` becomes `_`, because environment
    /// variables and some configuration formats cannot carry a `-`.
    pub fn section(&self) -> String {
        self.0.replace('-', "_")
    }
}

string_newtype!(ServiceName, IdError);

impl PartialSchema for ServiceName {
    fn schema() -> RefOr<Schema> {
        string_schema("The name of a service of the suite or of a configured peer.")
            .pattern(Some("^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$"))
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn employee_ids_accept_hr_style_ids() {
        for ok in ["E-1001.a_b", "x", "a..b", ".hidden", &"x".repeat(64)] {
            assert_eq!(EmployeeId::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn employee_ids_refuse_empty_long_spaced_non_ascii_and_path_like_values() {
        let long = "x".repeat(5000);
        for bad in [
            "",
            &"x".repeat(65),
            &long,
            "a b",
            "张三",
            "../../x",
            "a/b",
            ".",
            "..",
        ] {
            assert_eq!(EmployeeId::parse(bad), Err(IdError::EmployeeId), "{bad:?}");
        }
    }

    #[test]
    fn department_codes_are_lower_case_and_start_with_a_letter() {
        assert!(DepartmentCode::parse("after_sales").is_ok());
        assert!(DepartmentCode::parse("qa-2").is_ok());
        for bad in ["", "Sales", "1sales", "_x", "a.b", "a b", &"a".repeat(65)] {
            assert_eq!(
                DepartmentCode::parse(bad),
                Err(IdError::DepartmentCode),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn service_names_start_with_a_letter_and_do_not_end_with_a_dash() {
        for ok in ["crm", "training-record", "a1", &"a".repeat(40)] {
            assert!(ServiceName::parse(ok).is_ok(), "{ok:?}");
        }
        for bad in ["", "-crm", "crm-", "1crm", "Crm", "crm_x", &"a".repeat(41)] {
            assert_eq!(
                ServiceName::parse(bad),
                Err(IdError::ServiceName),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_service_name_section_replaces_dashes_with_underscores() {
        let name = ServiceName::parse("training-record").unwrap();
        assert_eq!(name.section(), "training_record");
        assert_eq!(name.as_str(), "training-record");
    }

    #[test]
    fn string_ids_deserialize_only_through_parse() {
        let id: EmployeeId = serde_json::from_str("\"E-1\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"E-1\"");
        let err = serde_json::from_str::<EmployeeId>("\"..\"").unwrap_err();
        assert!(
            err.to_string().contains("must be 1 to 64 characters"),
            "{err}"
        );
        assert!(serde_json::from_str::<DepartmentCode>("\"Sales\"").is_err());
        assert!(serde_json::from_str::<ServiceName>("42").is_err());
    }

    #[test]
    fn string_ids_display_parse_and_convert_to_the_same_text() {
        let code: DepartmentCode = "after_sales".parse().unwrap();
        assert_eq!(code.to_string(), "after_sales");
        assert_eq!(String::from(code), "after_sales");
    }

    #[test]
    fn every_id_error_has_a_chinese_text() {
        for e in [
            IdError::EmployeeId,
            IdError::DepartmentCode,
            IdError::ServiceName,
            IdError::Uuid,
        ] {
            assert!(!e.zh().is_empty());
            assert!(!e.to_string().is_empty());
        }
    }
}
