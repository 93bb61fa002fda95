//! The JSON shapes of answers, built from domain types in one place each.
//! Field names are the contract's (`list-sessions.seed.md`).

use serde::Serialize;
use sessions_domain::{Device, Page, Session};

/// `{"sessions": [...], "nextCursor": "..."}`; `nextCursor` is absent, not
/// null, on the last page.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionList {
    pub sessions: Vec<SessionBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionBody {
    pub session_id: String,
    pub organization_id: i64,
    pub user_id: String,
    pub device: DeviceBody,
    pub created_at: String,
    /// Always present; `null` while the device is held.
    pub released_at: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceBody {
    pub device_id: String,
    pub platform: &'static str,
    #[serde(rename = "type")]
    pub device_type: &'static str,
    pub name: String,
    pub os_version: String,
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
