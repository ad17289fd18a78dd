//! Identifiers at the edge: the contract's newtypes, parsed from paths, queries and
//! bodies into a 422 that names the field in the caller's language.

use std::str::FromStr;

pub use continuity_contract::{DepartmentCode, EmployeeId, IdError, new_id};

use crate::error::{ApiError, ApiResult};
use crate::i18n::Text;

/// The reason an identifier was refused, in every language the suite speaks.
pub fn id_error_text(e: IdError) -> Text {
    Text::new(e.to_string(), e.zh())
}

/// A value of a path segment or field parsed into its newtype, or a 422 naming `field`.
pub fn parse_path<T: FromStr<Err = IdError>>(field: &str, raw: &str) -> ApiResult<T> {
    raw.parse()
        .map_err(|e| ApiError::invalid_field(field, id_error_text(e)))
}
