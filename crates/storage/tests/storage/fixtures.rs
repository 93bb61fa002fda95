//! Builders for the rows a test needs.

use sessions_domain::{
    Device, DeviceType, NewSession, Organization, OrganizationId, Platform, Role, Session,
    SessionId, Timestamp, User,
};
use sessions_storage::{DbConnection, organizations, sessions, users};

pub fn at(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).expect(text)
}

pub fn organization(conn: &mut DbConnection) -> Organization {
    organizations::create(conn, Some("Acme")).expect("organization")
}

/// A user who is a member of `organization`.
pub fn member(conn: &mut DbConnection, organization: OrganizationId, role: Role) -> User {
    let user = users::create(conn, None).expect("user");
    users::add_member(conn, organization, user.id, role).expect("membership");
    user
}

pub fn new_session(
    organization: OrganizationId,
    user: &User,
    created_at: Option<Timestamp>,
) -> NewSession {
    NewSession {
        id: SessionId::random(),
        organization_id: organization,
        user_id: user.id,
        device: Device {
            device_id: "00008110-000A1C2E3C3B801E".into(),
            platform: Platform::Ios,
            device_type: DeviceType::Real,
            name: "iPhone 15".into(),
            os_version: "18.1".into(),
        },
        created_at,
        released_at: None,
    }
}

pub fn session_at(
    conn: &mut DbConnection,
    organization: OrganizationId,
    user: &User,
    text: &str,
) -> Session {
    sessions::create(conn, &new_session(organization, user, Some(at(text)))).expect("session")
}
