-- Timestamps are UTC wall-clock times written by diesel as canonical text
-- ('YYYY-MM-DD HH:MM:SS[.ffffff]', trailing zeros trimmed), which sorts and
-- compares in time order. UUIDs are lowercase hyphenated TEXT.

CREATE TABLE organizations (
    -- AUTOINCREMENT: an id is never handed out twice.
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT UNIQUE,
    default_organization_id BIGINT NOT NULL REFERENCES organizations (id),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE memberships (
    user_id TEXT NOT NULL REFERENCES users (id),
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    role TEXT NOT NULL CHECK (role IN ('admin', 'readwrite', 'readonly')),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, organization_id)
);
CREATE INDEX memberships_by_organization ON memberships (organization_id);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    organization_id BIGINT REFERENCES organizations (id),
    name TEXT,
    digest BLOB NOT NULL UNIQUE CHECK (length(digest) = 32),
    suffix TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX api_keys_by_user ON api_keys (user_id);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    device_id TEXT NOT NULL,
    platform TEXT NOT NULL CHECK (platform IN ('ios', 'android')),
    device_type TEXT NOT NULL CHECK (device_type IN ('real', 'simulator', 'emulator')),
    device_name TEXT NOT NULL,
    os_version TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    released_at TIMESTAMP CHECK (released_at >= created_at)
);
-- One instant per organization, and the index behind "this organization's
-- sessions older than T, newest first": one range scan.
CREATE UNIQUE INDEX sessions_by_organization_created_at ON sessions (organization_id, created_at);
CREATE INDEX sessions_by_user ON sessions (user_id);
