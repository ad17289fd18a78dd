//! The trait impls every string-backed newtype of the contract shares, written once so the
//! types themselves only state their rules.
//!
//! Reading goes through the type's own `parse`, so a value deserialized from an event is
//! exactly as valid as one parsed at an API edge.

use utoipa::openapi::schema::{ObjectBuilder, Type};

/// The start of a string schema; each type adds its own limits.
pub(crate) fn string_schema(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
}

/// `Display`, `FromStr`, `AsRef<str>`, `From<T> for String`, a validating `Deserialize` and
/// the `ToSchema` name for a `struct T(String)` with `parse(&str) -> Result<T, E>` and
/// `as_str()`. `Serialize` stays a `#[serde(transparent)]` derive on the type.
macro_rules! string_newtype {
    ($t:ident, $error:ty) => {
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::str::FromStr for $t {
            type Err = $error;
            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                Self::parse(raw)
            }
        }

        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<$t> for String {
            fn from(value: $t) -> String {
                value.0
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $t {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                Self::parse(&raw).map_err(::serde::de::Error::custom)
            }
        }

        impl ::utoipa::ToSchema for $t {
            fn name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($t))
            }
        }
    };
}
pub(crate) use string_newtype;
