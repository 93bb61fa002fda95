//! Identifiers. Each is its own type so that a user id can never be passed
//! where a session id is expected.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// Why a string is not an identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidId {
    #[error("must be a positive integer")]
    NotPositiveInteger,
    #[error("must be a UUID")]
    NotUuid,
}

/// An organization's id: a positive integer that fits an `i64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrganizationId(i64);

impl OrganizationId {
    /// The id as stored; `None` unless positive.
    pub fn new(value: i64) -> Option<Self> {
        (value > 0).then_some(Self(value))
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// Only the canonical decimal form is accepted (`7`, not `+7`, `07` or
/// ` 7`), so that parsing and formatting are each other's inverse.
impl FromStr for OrganizationId {
    type Err = InvalidId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let canonical = text.bytes().all(|b| b.is_ascii_digit()) && !text.starts_with('0');
        if !canonical || text.is_empty() {
            return Err(InvalidId::NotPositiveInteger);
        }
        text.parse::<i64>()
            .ok()
            .and_then(Self::new)
            .ok_or(InvalidId::NotPositiveInteger)
    }
}

impl fmt::Display for OrganizationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Uuid);

        impl $name {
            /// A new random (version 4) id.
            pub fn random() -> Self {
                Self(Uuid::new_v4())
            }

            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(text).map(Self).map_err(|_| InvalidId::NotUuid)
            }
        }

        /// The lowercase hyphenated form, as stored and as served.
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    };
}

uuid_id!(
    /// A user's id.
    UserId
);
uuid_id!(
    /// A session's id.
    SessionId
);
uuid_id!(
    /// An API key's public id (not its secret).
    ApiKeyId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organization_id_accepts_only_canonical_positive_integers() {
        assert_eq!(
            "7".parse::<OrganizationId>().map(OrganizationId::get),
            Ok(7)
        );
        assert_eq!(
            "9223372036854775807"
                .parse::<OrganizationId>()
                .map(OrganizationId::get),
            Ok(i64::MAX)
        );
        for bad in [
            "",
            "0",
            "-1",
            "+5",
            "05",
            " 5",
            "5 ",
            "1.5",
            "abc",
            "0x10",
            "9223372036854775808",
            "1234567890123456789012345678901234567890",
        ] {
            assert_eq!(
                bad.parse::<OrganizationId>(),
                Err(InvalidId::NotPositiveInteger),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn organization_id_round_trips_through_text() {
        for value in [1, 42, i64::MAX] {
            let id = OrganizationId::new(value).expect("positive");
            assert_eq!(id.to_string().parse(), Ok(id));
        }
        assert_eq!(OrganizationId::new(0), None);
        assert_eq!(OrganizationId::new(-3), None);
    }

    #[test]
    fn uuid_ids_print_lowercase_hyphenated() {
        let id: UserId = "6F9619FF-8B86-D011-B42D-00C04FC964FF"
            .parse()
            .expect("uuid");
        assert_eq!(id.to_string(), "6f9619ff-8b86-d011-b42d-00c04fc964ff");
        assert_eq!("nope".parse::<SessionId>(), Err(InvalidId::NotUuid));
    }
}
