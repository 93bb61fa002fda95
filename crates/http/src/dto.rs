//! The JSON shapes of answers, built from domain types in one place each.
//! Field names are the contract's (`list-sessions.seed.md`). The OpenAPI
//! document ([`crate::openapi`]) is derived from these same types.

use serde::Serialize;
use sessions_domain::{Device, DeviceType, Page, Platform, Session};
use utoipa::ToSchema;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// One page of sessions, newest first.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionList {
    pub sessions: Vec<SessionBody>,
    /// The `before` of the next page: the `createdAt` of this page's last
    /// session. Absent (never null) on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, format = DateTime)]
    pub next_cursor: Option<String>,
}

/// A user of an organization holding a device, from `createdAt` until
/// `releasedAt`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionBody {
    #[schema(format = "uuid")]
    pub session_id: String,
    #[schema(format = Int64, minimum = 1)]
    pub organization_id: i64,
    #[schema(format = "uuid")]
    pub user_id: String,
    pub device: DeviceBody,
    /// UTC, at most microsecond precision, trailing fractional zeros trimmed.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Always present; `null` while the device is held.
    #[schema(required = true, format = DateTime)]
    pub released_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeviceBody {
    pub device_id: String,
    #[schema(schema_with = platforms)]
    pub platform: &'static str,
    #[serde(rename = "type")]
    #[schema(schema_with = device_types)]
    pub device_type: &'static str,
    pub name: String,
    pub os_version: String,
}

/// The error envelope of every answer that is not a 200.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable and machine-readable, e.g. `invalid_parameter`.
    pub code: &'static str,
    /// For people; its wording may change.
    pub message: String,
}

fn platforms() -> Schema {
    one_of_strings(Platform::ALL.map(Platform::as_str))
}

fn device_types() -> Schema {
    one_of_strings(DeviceType::ALL.map(DeviceType::as_str))
}

fn one_of_strings<const N: usize>(values: [&'static str; N]) -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .into()
}

impl From<Page> for SessionList {
    fn from(page: Page) -> Self {
        Self {
            sessions: page.sessions.into_iter().map(SessionBody::from).collect(),
            next_cursor: page.next_cursor.map(|at| at.to_string()),
        }
    }
}

impl From<Session> for SessionBody {
    fn from(session: Session) -> Self {
        Self {
            session_id: session.id.to_string(),
            organization_id: session.organization_id.get(),
            user_id: session.user_id.to_string(),
            device: session.device.into(),
            created_at: session.created_at.to_string(),
            released_at: session.released_at.map(|at| at.to_string()),
        }
    }
}

impl From<Device> for DeviceBody {
    fn from(device: Device) -> Self {
        Self {
            device_id: device.device_id,
            platform: device.platform.as_str(),
            device_type: device.device_type.as_str(),
            name: device.name,
            os_version: device.os_version,
        }
    }
}
