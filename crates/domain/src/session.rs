//! Sessions, the devices they hold, and the organizations and users they
//! belong to.

use std::fmt;
use std::str::FromStr;

use compact_str::CompactString;

use crate::{OrganizationId, SessionId, Timestamp, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    Ios,
    Android,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be ios or android")]
pub struct UnknownPlatform;

impl Platform {
    pub const ALL: [Self; 2] = [Self::Ios, Self::Android];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ios => "ios",
            Self::Android => "android",
        }
    }
}

impl FromStr for Platform {
    type Err = UnknownPlatform;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "ios" => Ok(Self::Ios),
            "android" => Ok(Self::Android),
            _ => Err(UnknownPlatform),
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceType {
    Real,
    Simulator,
    Emulator,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be real, simulator or emulator")]
pub struct UnknownDeviceType;

impl DeviceType {
    pub const ALL: [Self; 3] = [Self::Real, Self::Simulator, Self::Emulator];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Real => "real",
            Self::Simulator => "simulator",
            Self::Emulator => "emulator",
        }
    }
}

impl FromStr for DeviceType {
    type Err = UnknownDeviceType;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "real" => Ok(Self::Real),
            "simulator" => Ok(Self::Simulator),
            "emulator" => Ok(Self::Emulator),
            _ => Err(UnknownDeviceType),
        }
    }
}

impl fmt::Display for DeviceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The device a session held, as it was when the session began.
///
/// Its free-form fields are short (an id, a model name, a version), so they
/// are kept inline up to 24 bytes rather than each in an allocation of its
/// own: with three allocations a session, and their frees, a page cost
/// about a fifth more CPU to read, serve and drop (docs/PERFORMANCE.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub device_id: CompactString,
    pub platform: Platform,
    pub device_type: DeviceType,
    pub name: CompactString,
    pub os_version: CompactString,
}

/// A user of an organization holding a device from `created_at` until
/// `released_at` (`None` while it is held).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub organization_id: OrganizationId,
    pub user_id: UserId,
    pub device: Device,
    /// Unique within the organization.
    pub created_at: Timestamp,
    pub released_at: Option<Timestamp>,
}

/// A session to record. Without `created_at` the store picks the instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub id: SessionId,
    pub organization_id: OrganizationId,
    pub user_id: UserId,
    pub device: Device,
    pub created_at: Option<Timestamp>,
    pub released_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: OrganizationId,
    /// `None` for a user's Personal organization.
    pub name: Option<String>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Option<String>,
    /// Always an organization the user is a member of.
    pub default_organization_id: OrganizationId,
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_and_device_types_round_trip_through_text() {
        for platform in Platform::ALL {
            assert_eq!(platform.as_str().parse(), Ok(platform));
        }
        for device_type in DeviceType::ALL {
            assert_eq!(device_type.as_str().parse(), Ok(device_type));
        }
        assert_eq!("iOS".parse::<Platform>(), Err(UnknownPlatform));
        assert_eq!("virtual".parse::<DeviceType>(), Err(UnknownDeviceType));
    }
}
