//! `sessions-api admin …`: each command changes the store in one
//! transaction (or not at all) and prints one JSON object on stdout.

mod import;
mod output;

use std::io::Write;

use sessions_domain::{Device, NewSession, SessionId};
use sessions_http::SessionBody;
use sessions_storage::{DbConnection, api_keys, organizations, sessions, users};

use crate::cli::{
    AdminCommand, KeyCommand, MemberCommand, OrgCommand, SessionCommand, UserCommand,
};
use output::{ApiKeyOut, ImportOut, MembershipOut, OrganizationOut, UserOut};

pub fn run(conn: &mut DbConnection, command: AdminCommand) -> anyhow::Result<()> {
    let answer = match command {
        AdminCommand::Org(OrgCommand::Create { name }) => json(OrganizationOut::from(
            organizations::create(conn, Some(&name))?,
        )),
        AdminCommand::User(UserCommand::Create { email }) => {
            json(UserOut::from(users::create(conn, email.as_deref())?))
        }
        AdminCommand::User(UserCommand::SetDefaultOrg { user, org }) => json(UserOut::from(
            users::set_default_organization(conn, user, org)?,
        )),
        AdminCommand::Member(MemberCommand::Add { org, user, role }) => json(MembershipOut::from(
            users::add_member(conn, org, user, role)?,
        )),
        AdminCommand::Member(MemberCommand::Remove { org, user }) => {
            json(MembershipOut::from(users::remove_member(conn, org, user)?))
        }
        AdminCommand::Key(KeyCommand::Create { user, org, name }) => {
            let (key, secret) = api_keys::create(conn, user, org, name.as_deref())?;
            json(ApiKeyOut::new(key, Some(&secret)))
        }
        AdminCommand::Key(KeyCommand::Revoke { id }) => {
            json(ApiKeyOut::new(api_keys::revoke(conn, id)?, None))
        }
        AdminCommand::Session(SessionCommand::Create(args)) => {
            let new = NewSession {
                id: SessionId::random(),
                organization_id: args.org,
                user_id: args.user,
                device: Device {
                    device_id: args
                        .device_id
                        .unwrap_or_else(|| SessionId::random().to_string())
                        .into(),
                    platform: args.platform,
                    device_type: args.device_type,
                    name: args.device_name.into(),
                    os_version: args.os_version.into(),
                },
                created_at: args.created_at,
                released_at: args.released_at,
            };
            json(SessionBody::from(&sessions::create(conn, &new)?))
        }
        AdminCommand::Session(SessionCommand::Import(args)) => {
            json(ImportOut::from(import::run(conn, &args)?))
        }
        AdminCommand::Session(SessionCommand::Release { id, at }) => {
            json(SessionBody::from(&sessions::release(conn, id, at)?))
        }
    }?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{answer}")?;
    Ok(())
}

fn json(value: impl serde::Serialize) -> anyhow::Result<String> {
    Ok(serde_json::to_string(&value)?)
}
