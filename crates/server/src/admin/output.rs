//! What the operator commands print, built from domain types. Sessions print
//! in the API's own shape ([`sessions_http::SessionBody`]).

use serde::Serialize;
use sessions_domain::{ApiKey, ApiKeySecret, Membership, Organization, User};
use sessions_storage::sessions::Imported;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationOut {
    id: i64,
    name: Option<String>,
    created_at: String,
}

impl From<Organization> for OrganizationOut {
    fn from(organization: Organization) -> Self {
        Self {
            id: organization.id.get(),
            name: organization.name,
            created_at: organization.created_at.to_string(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserOut {
    id: String,
    email: Option<String>,
    default_organization_id: i64,
    created_at: String,
}

impl From<User> for UserOut {
    fn from(user: User) -> Self {
        Self {
            id: user.id.to_string(),
            email: user.email,
            default_organization_id: user.default_organization_id.get(),
            created_at: user.created_at.to_string(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MembershipOut {
    organization_id: i64,
    user_id: String,
    role: &'static str,
}

impl From<Membership> for MembershipOut {
    fn from(membership: Membership) -> Self {
        Self {
            organization_id: membership.organization_id.get(),
            user_id: membership.user_id.to_string(),
            role: membership.role.as_str(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyOut {
    id: String,
    /// Only when the key is created: the one time the secret is shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    api_key: Option<String>,
    user_id: String,
    /// The organization the key is bound to; `null` for a personal key.
    organization_id: Option<i64>,
    name: Option<String>,
    suffix: String,
    created_at: String,
    revoked_at: Option<String>,
}

impl ApiKeyOut {
    pub fn new(key: ApiKey, secret: Option<&ApiKeySecret>) -> Self {
        Self {
            id: key.id.to_string(),
            api_key: secret.map(|secret| secret.expose().to_owned()),
            user_id: key.user_id.to_string(),
            organization_id: key.organization_id.map(|id| id.get()),
            name: key.name,
            suffix: key.suffix,
            created_at: key.created_at.to_string(),
            revoked_at: key.revoked_at.map(|at| at.to_string()),
        }
    }
}

/// `{"organizationId", "imported", "oldest", "newest"}`: how many sessions
/// were written, and the range of their `createdAt` (`null` when none were),
/// ready to page through with `before`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportOut {
    organization_id: i64,
    imported: u64,
    oldest: Option<String>,
    newest: Option<String>,
}

impl From<Imported> for ImportOut {
    fn from(imported: Imported) -> Self {
        Self {
            organization_id: imported.organization.get(),
            imported: imported.count,
            oldest: imported.oldest.map(|at| at.to_string()),
            newest: imported.newest.map(|at| at.to_string()),
        }
    }
}
