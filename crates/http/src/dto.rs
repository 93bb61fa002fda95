//! The JSON shapes of answers, built from domain types in one place each.
//! Field names are the contract's (`list-sessions.seed.md`). The OpenAPI
//! document ([`crate::openapi`]) is derived from these same types.
//!
//! A page's shapes borrow the page and write ids and instants straight into
//! the output as they serialize: no value is copied into a `String` first.
//! The body of a 200 is written by [`SessionList::to_json`] (`page_json`),
//! which a property test holds to these types' serde output byte for byte.

use std::fmt::Display;

use serde::{Serialize, Serializer};
use sessions_domain::{
    Device, DeviceType, OrganizationId, Page, Platform, Session, SessionId, Timestamp, UserId,
};
use utoipa::ToSchema;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

mod page_json;

/// One page of sessions, newest first.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionList<'a> {
    #[serde(serialize_with = "session_bodies")]
    #[schema(value_type = Vec<SessionBody>)]
    pub sessions: &'a [Session],
    /// The `before` of the next page: the `createdAt` of this page's last
    /// session. Absent (never null) on the last page.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "optional_text"
    )]
    #[schema(value_type = Option<String>, nullable = false, format = DateTime)]
    pub next_cursor: Option<Timestamp>,
}

/// A user of an organization holding a device, from `createdAt` until
/// `releasedAt`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionBody<'a> {
    #[serde(serialize_with = "text")]
    #[schema(value_type = String, format = "uuid")]
    pub session_id: SessionId,
    #[serde(serialize_with = "organization_id")]
    #[schema(value_type = i64, format = Int64, minimum = 1)]
    pub organization_id: OrganizationId,
    #[serde(serialize_with = "text")]
    #[schema(value_type = String, format = "uuid")]
    pub user_id: UserId,
    pub device: DeviceBody<'a>,
    /// UTC, at most microsecond precision, trailing fractional zeros trimmed.
    #[serde(serialize_with = "text")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Always present; `null` while the device is held.
    #[serde(serialize_with = "optional_text")]
    #[schema(value_type = Option<String>, required = true, format = DateTime)]
    pub released_at: Option<Timestamp>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeviceBody<'a> {
    pub device_id: &'a str,
    #[schema(schema_with = platforms)]
    pub platform: &'static str,
    #[serde(rename = "type")]
    #[schema(schema_with = device_types)]
    pub device_type: &'static str,
    pub name: &'a str,
    pub os_version: &'a str,
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

impl<'a> From<&'a Page> for SessionList<'a> {
    fn from(page: &'a Page) -> Self {
        Self {
            sessions: &page.sessions,
            next_cursor: page.next_cursor,
        }
    }
}

impl<'a> From<&'a Session> for SessionBody<'a> {
    fn from(session: &'a Session) -> Self {
        Self {
            session_id: session.id,
            organization_id: session.organization_id,
            user_id: session.user_id,
            device: (&session.device).into(),
            created_at: session.created_at,
            released_at: session.released_at,
        }
    }
}

impl<'a> From<&'a Device> for DeviceBody<'a> {
    fn from(device: &'a Device) -> Self {
        Self {
            device_id: &device.device_id,
            platform: device.platform.as_str(),
            device_type: device.device_type.as_str(),
            name: &device.name,
            os_version: &device.os_version,
        }
    }
}

fn session_bodies<S: Serializer>(sessions: &&[Session], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(sessions.iter().map(SessionBody::from))
}

/// A value as its `Display` text, written straight into the output.
fn text<S: Serializer>(value: &impl Display, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

fn optional_text<S: Serializer>(
    value: &Option<impl Display>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.collect_str(value),
        None => serializer.serialize_none(),
    }
}

fn organization_id<S: Serializer>(id: &OrganizationId, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_i64(id.get())
}
