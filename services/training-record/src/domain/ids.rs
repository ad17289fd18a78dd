//! Ids of what training-record creates: UUIDs (v7), one spelling (hyphenated).

use std::fmt;
use std::str::FromStr;

use continuity_contract::IdError;
use serde::Serialize;
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$meta:meta])* $t:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $t(Uuid);

        impl $t {
            /// A fresh, time-ordered (v7) id.
            #[allow(clippy::new_without_default, reason = "a default id would be a random one")]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Reads the hyphenated form only.
            pub fn parse(raw: &str) -> Result<Self, IdError> {
                if raw.len() != 36 {
                    return Err(IdError::Uuid);
                }
                Uuid::try_parse(raw).map(Self).map_err(|_| IdError::Uuid)
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
    };
}

uuid_id!(
    /// A training session of a project.
    SessionId
);
uuid_id!(
    /// A material of a session: a recording, slides, a document or a link.
    MaterialId
);
uuid_id!(
    /// A resumable upload; the material it becomes keeps the same id.
    UploadId
);

/// A finished upload becomes the material of the same id, so a tus client finds it.
impl From<UploadId> for MaterialId {
    fn from(id: UploadId) -> Self {
        Self(id.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_only_the_hyphenated_form() {
        let id = SessionId::new();
        assert_eq!(SessionId::parse(&id.to_string()), Ok(id));
        assert!(SessionId::parse(&id.to_string().replace('-', "")).is_err());
        assert!(MaterialId::parse("../../etc/passwd").is_err());
    }
}
