//! Who may act on which organization.

use std::fmt;
use std::str::FromStr;

use crate::{OrganizationId, UserId};

/// A member's role. Every role may list sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Admin,
    ReadWrite,
    ReadOnly,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of admin, readwrite, readonly")]
pub struct UnknownRole;

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::ReadWrite => "readwrite",
            Self::ReadOnly => "readonly",
        }
    }
}

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "admin" => Ok(Self::Admin),
            "readwrite" => Ok(Self::ReadWrite),
            "readonly" => Ok(Self::ReadOnly),
            _ => Err(UnknownRole),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Membership {
    pub organization_id: OrganizationId,
    pub user_id: UserId,
    pub role: Role,
}

/// The holder of a live API key, as the store knows them at the moment of
/// the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: UserId,
    /// The organization the key is bound to; `None` for a personal key.
    pub key_organization: Option<OrganizationId>,
    pub default_organization: OrganizationId,
    /// The caller's membership in the organization the request selects, if
    /// any. The store looks it up in the same step as the key.
    pub membership: Option<Membership>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccessDenied {
    #[error(
        "this API key is bound to organization {bound} and cannot act on organization {requested}"
    )]
    KeyBoundElsewhere {
        bound: OrganizationId,
        requested: OrganizationId,
    },
    /// Also the answer for an organization that does not exist, so that ids
    /// cannot be probed.
    #[error("you are not a member of organization {0}")]
    NotAMember(OrganizationId),
}

/// Which organization a request acts on: the one it names, else the one its
/// key is bound to, else the caller's default. A bound key may name only its
/// own organization.
pub fn select_organization(
    requested: Option<OrganizationId>,
    key_organization: Option<OrganizationId>,
    default_organization: OrganizationId,
) -> Result<OrganizationId, AccessDenied> {
    match (requested, key_organization) {
        (Some(requested), Some(bound)) if requested != bound => {
            Err(AccessDenied::KeyBoundElsewhere { bound, requested })
        }
        (Some(requested), _) => Ok(requested),
        (None, Some(bound)) => Ok(bound),
        (None, None) => Ok(default_organization),
    }
}

impl Caller {
    /// The organization this request acts on, provided the caller is a
    /// member of it now.
    pub fn authorize(&self, requested: Option<OrganizationId>) -> Result<Membership, AccessDenied> {
        let selected =
            select_organization(requested, self.key_organization, self.default_organization)?;
        match self.membership {
            Some(membership)
                if membership.organization_id == selected && membership.user_id == self.user_id =>
            {
                Ok(membership)
            }
            _ => Err(AccessDenied::NotAMember(selected)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(id: i64) -> OrganizationId {
        OrganizationId::new(id).expect("positive")
    }

    #[test]
    fn the_header_wins_for_an_unbound_key() {
        assert_eq!(select_organization(Some(org(3)), None, org(1)), Ok(org(3)));
    }

    #[test]
    fn a_bound_key_may_name_its_own_organization_only() {
        assert_eq!(
            select_organization(Some(org(2)), Some(org(2)), org(1)),
            Ok(org(2))
        );
        assert_eq!(
            select_organization(Some(org(3)), Some(org(2)), org(1)),
            Err(AccessDenied::KeyBoundElsewhere {
                bound: org(2),
                requested: org(3)
            })
        );
    }

    #[test]
    fn without_the_header_a_bound_key_acts_on_its_organization() {
        assert_eq!(select_organization(None, Some(org(2)), org(1)), Ok(org(2)));
    }

    #[test]
    fn otherwise_the_default_organization() {
        assert_eq!(select_organization(None, None, org(1)), Ok(org(1)));
    }

    fn caller(membership_in: Option<i64>) -> Caller {
        let user_id = UserId::random();
        Caller {
            user_id,
            key_organization: None,
            default_organization: org(1),
            membership: membership_in.map(|id| Membership {
                organization_id: org(id),
                user_id,
                role: Role::ReadOnly,
            }),
        }
    }

    #[test]
    fn every_role_is_allowed_when_a_member_of_the_selected_organization() {
        for role in [Role::Admin, Role::ReadWrite, Role::ReadOnly] {
            let mut caller = caller(Some(5));
            if let Some(membership) = caller.membership.as_mut() {
                membership.role = role;
            }
            assert_eq!(caller.authorize(Some(org(5))).map(|m| m.role), Ok(role));
        }
    }

    #[test]
    fn a_non_member_is_refused() {
        assert_eq!(
            caller(None).authorize(Some(org(5))),
            Err(AccessDenied::NotAMember(org(5)))
        );
        assert_eq!(
            caller(None).authorize(None),
            Err(AccessDenied::NotAMember(org(1)))
        );
    }

    #[test]
    fn a_membership_of_another_organization_does_not_count() {
        assert_eq!(
            caller(Some(1)).authorize(Some(org(5))),
            Err(AccessDenied::NotAMember(org(5)))
        );
    }

    #[test]
    fn roles_round_trip_through_text() {
        for role in [Role::Admin, Role::ReadWrite, Role::ReadOnly] {
            assert_eq!(role.as_str().parse(), Ok(role));
        }
        assert_eq!("owner".parse::<Role>(), Err(UnknownRole));
    }
}
