//! Ids of things the suite creates: UUIDs (v7, time-ordered), written as hyphenated
//! strings.
//!
//! Only the hyphenated form is read, so one id has one spelling in paths, subjects and
//! stored copies.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, Schema, SchemaFormat};
use utoipa::{PartialSchema, ToSchema};
use uuid::Uuid;

use super::IdError;
use crate::newtype::string_schema;

/// A fresh, time-ordered id for something the suite creates.
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

macro_rules! uuid_id {
    ($(#[$meta:meta])* $t:ident, $description:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $t(Uuid);

        impl $t {
            /// A fresh, time-ordered (v7) id.
            #[allow(clippy::new_without_default, reason = "a default id would be a random one")]
            pub fn new() -> Self {
                Self(new_id())
            }

            /// Reads the hyphenated form, in either case.
            pub fn parse(raw: &str) -> Result<Self, IdError> {
                // The other forms `uuid` accepts (simple, braced, URN) differ in length.
                if raw.len() != 36 {
                    return Err(IdError::Uuid);
                }
                Uuid::try_parse(raw).map(Self).map_err(|_| IdError::Uuid)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $t {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$t> for Uuid {
            fn from(id: $t) -> Uuid {
                id.0
            }
        }

        impl From<$t> for String {
            fn from(id: $t) -> String {
                id.to_string()
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl FromStr for $t {
            type Err = IdError;
            fn from_str(raw: &str) -> Result<Self, IdError> {
                Self::parse(raw)
            }
        }

        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                // uuid's own buffer: `collect_str` writes through `fmt`, piece by piece.
                s.serialize_str(self.0.hyphenated().encode_lower(&mut Uuid::encode_buffer()))
            }
        }

        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                Self::parse(&raw).map_err(serde::de::Error::custom)
            }
        }

        impl PartialSchema for $t {
            fn schema() -> RefOr<Schema> {
                string_schema($description)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
                    .into()
            }
        }

        impl ToSchema for $t {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($t))
            }
        }
    };
}

uuid_id!(
    /// A project.
    ProjectId,
    "A project's id."
);
uuid_id!(
    /// A handover of a leaver's place on a project.
    HandoverId,
    "A handover's id."
);
uuid_id!(
    /// A published notice of process changes.
    NoticeId,
    "A notice's id."
);
uuid_id!(
    /// A business-process change recorded during an implementation.
    ProcessChangeId,
    "A process change's id."
);

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0190a5c4-1b2c-7d3e-8f40-123456789abc";

    #[test]
    fn new_ids_are_version_7_and_distinct() {
        let (a, b) = (ProjectId::new(), ProjectId::new());
        assert_eq!(a.as_uuid().get_version_num(), 7);
        assert_ne!(a, b);
        assert_eq!(new_id().get_version_num(), 7);
    }

    #[test]
    fn uuid_ids_round_trip_as_hyphenated_lower_case_strings() {
        let id = HandoverId::parse(&ID.to_uppercase()).unwrap();
        assert_eq!(id.to_string(), ID);
        assert_eq!(String::from(id), ID);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{ID}\""));
        assert_eq!(serde_json::from_str::<HandoverId>(&json).unwrap(), id);
        assert_eq!(ID.parse::<NoticeId>().unwrap().as_uuid(), id.as_uuid());
    }

    #[test]
    fn uuid_ids_refuse_other_spellings_and_non_uuids() {
        let simple = ID.replace('-', "");
        let braced = format!("{{{ID}}}");
        let urn = format!("urn:uuid:{ID}");
        for bad in [
            "",
            "p-1",
            "../../x",
            &simple,
            &braced,
            &urn,
            &ID.replace('a', "g"),
        ] {
            assert_eq!(ProjectId::parse(bad), Err(IdError::Uuid), "{bad:?}");
        }
        assert!(serde_json::from_str::<ProjectId>("\"not-a-uuid\"").is_err());
        assert!(serde_json::from_str::<ProjectId>("42").is_err());
    }
}
