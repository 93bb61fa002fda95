//! `serve --demo`: on an empty database, an organization with a few hundred
//! sessions and a key to list them; on any other, nothing.

use std::io::Write;
use std::net::SocketAddr;

use sessions_domain::{
    ApiKeySecret, Device, DeviceType, NewSession, Platform, Role, SessionId, Timestamp,
};
use sessions_storage::{DbConnection, api_keys, organizations, sessions, users};

const SESSIONS: i64 = 300;
const MICROS_PER_MINUTE: i64 = 60_000_000;

const DEVICES: [(Platform, DeviceType, &str, &str); 6] = [
    (Platform::Ios, DeviceType::Real, "iPhone 15 Pro", "18.1"),
    (Platform::Ios, DeviceType::Simulator, "iPhone 16", "18.2"),
    (Platform::Ios, DeviceType::Real, "iPad Air", "17.6"),
    (Platform::Android, DeviceType::Real, "Pixel 8", "15"),
    (
        Platform::Android,
        DeviceType::Emulator,
        "Pixel 7 API 34",
        "14",
    ),
    (Platform::Android, DeviceType::Real, "Galaxy S24", "14"),
];

#[derive(Debug)]
pub enum Outcome {
    Seeded {
        organization: i64,
        secret: ApiKeySecret,
    },
    AlreadyHasData,
}

/// Everything in one transaction: a crash half-way leaves the database
/// empty, and of two servers seeding at once, the second waits for the
/// first and then finds data.
pub fn seed(conn: &mut DbConnection) -> anyhow::Result<Outcome> {
    let seeded = organizations::when_none_exist(conn, |conn| {
        let organization = organizations::create(conn, Some("Demo"))?.id;
        let user = users::create(conn, Some("demo@example.com"))?;
        users::add_member(conn, organization, user.id, Role::Admin)?;
        users::set_default_organization(conn, user.id, organization)?;
        let (_, secret) = api_keys::create(conn, user.id, Some(organization), Some("demo"))?;

        let now = Timestamp::now().unix_micros();
        for i in 0..SESSIONS {
            // About one session every two hours over the last month, at
            // uneven minutes; the three newest devices are still held.
            let started =
                now - (i * 144 + (i * 7_919) % 60) * MICROS_PER_MINUTE - (i * 104_729) % 1_000_000;
            let created_at = Timestamp::from_unix_micros(started).unwrap_or(Timestamp::MIN);
            let released_at = (i >= 3)
                .then(|| {
                    Timestamp::from_unix_micros(started + ((i * 37) % 115 + 5) * MICROS_PER_MINUTE)
                })
                .flatten();
            let (platform, device_type, name, os_version) =
                DEVICES[(i as usize * 5) % DEVICES.len()];
            let session = NewSession {
                id: SessionId::random(),
                organization_id: organization,
                user_id: user.id,
                device: Device {
                    device_id: format!("demo-device-{}", (i * 5) % 6 + 1).into(),
                    platform,
                    device_type,
                    name: name.into(),
                    os_version: os_version.into(),
                },
                created_at: Some(created_at),
                released_at,
            };
            sessions::create(conn, &session)?;
        }
        Ok(Outcome::Seeded {
            organization: organization.get(),
            secret,
        })
    })?;
    Ok(seeded.unwrap_or(Outcome::AlreadyHasData))
}

/// Prints the key once, with a request to paste; or says why there is none.
pub fn announce(outcome: &Outcome, address: SocketAddr) -> anyhow::Result<()> {
    match outcome {
        Outcome::AlreadyHasData => {
            eprintln!(
                "--demo: the database already holds data; nothing was created and no key is shown"
            );
        }
        Outcome::Seeded {
            organization,
            secret,
        } => {
            let host = if address.ip().is_unspecified() {
                SocketAddr::new([127, 0, 0, 1].into(), address.port())
            } else {
                address
            };
            let mut stdout = std::io::stdout().lock();
            writeln!(
                stdout,
                "Demo data created: organization {organization} (\"Demo\"), user demo@example.com, {SESSIONS} sessions."
            )?;
            writeln!(stdout, "API key (shown only now): {}", secret.expose())?;
            writeln!(stdout, "Try:")?;
            writeln!(
                stdout,
                "  curl -s 'http://{host}/api/v1/sessions?limit=2' -H 'Authorization: Bearer {}'",
                secret.expose()
            )?;
            stdout.flush()?;
        }
    }
    Ok(())
}
