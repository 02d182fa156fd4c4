-- Asynchronous usage reports. Public ids are REPORT-{id}.
CREATE TABLE reports (
    id           INTEGER PRIMARY KEY,
    realm_id     TEXT NOT NULL REFERENCES orgs(realm_id),
    status       TEXT NOT NULL CHECK (status IN ('inProgress', 'completed', 'failed')),
    query        TEXT NOT NULL,           -- the validated query string, as to_pairs gives it
    sub_accounts TEXT,                    -- JSON array, or NULL for the realm itself
    created      INTEGER NOT NULL,
    finished     INTEGER,
    row_count    INTEGER,
    byte_size    INTEGER,
    truncated    INTEGER,
    error        TEXT,
    attempt      INTEGER NOT NULL DEFAULT 0  -- which generation run owns it (see reports.rs)
);
CREATE INDEX reports_realm ON reports(realm_id, id DESC);

-- Server settings that must survive a restart (the download-link signing key).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
