-- The report queue lives in the database, so a restart reads it back as it was.
-- AUTOINCREMENT: once retention deletes the newest reports, a new report must not take over
-- their public ids (an old link would then name someone's new report). SQLite cannot add it
-- to an existing table, so the table is rebuilt; ids are kept.
CREATE TABLE reports_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
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
    attempt      INTEGER NOT NULL DEFAULT 0, -- runs started so far; the latest owns the outcome
    running      INTEGER NOT NULL DEFAULT 0, -- 1 while a worker generates it, 0 while it waits
    started      INTEGER                     -- when its latest run began (fair turns by realm)
);
INSERT INTO reports_new (id, realm_id, status, query, sub_accounts, created, finished, row_count,
        byte_size, truncated, error, attempt)
    SELECT id, realm_id, status, query, sub_accounts, created, finished, row_count, byte_size,
           truncated, error, attempt
    FROM reports;
DROP TABLE reports;
ALTER TABLE reports_new RENAME TO reports;
CREATE INDEX reports_realm ON reports(realm_id, id DESC);
-- The queue: what waits or runs, by realm in order of arrival.
CREATE INDEX reports_queue ON reports(realm_id, id) WHERE status = 'inProgress';
-- Each realm's latest turn, for choosing the realm that has waited longest.
CREATE INDEX reports_realm_started ON reports(realm_id, started);
-- Retention: what finished before the cutoff.
CREATE INDEX reports_finished ON reports(finished) WHERE status != 'inProgress';
