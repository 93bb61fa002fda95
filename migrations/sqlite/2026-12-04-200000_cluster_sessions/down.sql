CREATE TABLE sessions_by_rowid (
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

INSERT INTO sessions_by_rowid
SELECT id, organization_id, user_id, device_id, platform, device_type,
       device_name, os_version, created_at, released_at
FROM sessions;

DROP TABLE sessions;
ALTER TABLE sessions_by_rowid RENAME TO sessions;
CREATE UNIQUE INDEX sessions_by_organization_created_at ON sessions (organization_id, created_at);
CREATE INDEX sessions_by_user ON sessions (user_id);
