//! The pure core of sessions-api: what a session, an organization and an API
//! key are, and the rules of the List-sessions endpoint (limit, cursor,
//! organization selection) as plain functions over plain values.
//!
//! Nothing here touches a database, the network or a clock it was not handed,
//! except [`Timestamp::now`] and [`ApiKeySecret::generate`], which read the
//! system clock and the system's random source.

mod access;
mod api_key;
mod ids;
mod page;
mod rfc3339;
mod session;
mod timestamp;

pub use access::{AccessDenied, Caller, Membership, Role, UnknownRole, select_organization};
pub use api_key::{ApiKey, ApiKeyDigest, ApiKeySecret, InvalidApiKey};
/// The string type of a device's free-form fields.
pub use compact_str::CompactString;
pub use ids::{ApiKeyId, InvalidId, OrganizationId, SessionId, UserId};
pub use page::{Cursor, InvalidCursor, InvalidLimit, Limit, Page};
pub use rfc3339::InvalidTimestamp;
pub use session::{
    Device, DeviceType, NewSession, Organization, Platform, Session, UnknownDeviceType,
    UnknownPlatform, User,
};
pub use timestamp::{Rfc3339Text, Timestamp};
