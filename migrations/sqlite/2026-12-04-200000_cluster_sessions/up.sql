-- Sessions, stored in the order every page reads them: clustered on
-- (organization_id, created_at), the key that was already unique. A page is
-- then one contiguous range of the table itself; before, each session of a
-- page cost a lookup from the index into the table by rowid. A lookup by id
-- goes through the unique index on id instead.
CREATE TABLE sessions_clustered (
    id TEXT NOT NULL,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    device_id TEXT NOT NULL,
    platform TEXT NOT NULL CHECK (platform IN ('ios', 'android')),
    device_type TEXT NOT NULL CHECK (device_type IN ('real', 'simulator', 'emulator')),
    device_name TEXT NOT NULL,
    os_version TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    released_at TIMESTAMP CHECK (released_at >= created_at),
    PRIMARY KEY (organization_id, created_at)
) WITHOUT ROWID;

INSERT INTO sessions_clustered
SELECT id, organization_id, user_id, device_id, platform, device_type,
       device_name, os_version, created_at, released_at
FROM sessions;

DROP TABLE sessions;
ALTER TABLE sessions_clustered RENAME TO sessions;
CREATE UNIQUE INDEX sessions_by_id ON sessions (id);
CREATE INDEX sessions_by_user ON sessions (user_id);
