-- Orgs (realms). A partner org is the parent of its sub-accounts.
CREATE TABLE orgs (
    realm_id        TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    parent_realm_id TEXT REFERENCES orgs(realm_id)
);
CREATE INDEX orgs_parent ON orgs(parent_realm_id);

CREATE TABLE subscriptions (
    id                      INTEGER PRIMARY KEY,
    billing_subscription_id TEXT NOT NULL UNIQUE,
    realm_id                TEXT NOT NULL REFERENCES orgs(realm_id),
    feature_id              TEXT NOT NULL,
    billing_charge_number   TEXT NOT NULL,
    category                TEXT NOT NULL,
    name                    TEXT NOT NULL,
    value_driver            TEXT NOT NULL,
    usage_type_code         TEXT NOT NULL,
    price                   TEXT NOT NULL,   -- exact decimal string
    currency                TEXT NOT NULL,   -- ISO 4217
    monthly_limit_milli     INTEGER          -- NULL: no limit
);
CREATE INDEX subscriptions_realm ON subscriptions(realm_id);

-- Raw usage records. Quantities are integer milli-units. Dimensions use '' for "none"
-- so that grouping and primary keys need no NULL handling.
CREATE TABLE usage_records (
    id              INTEGER PRIMARY KEY,
    client_id       TEXT UNIQUE,             -- the `id` a client gave POST /usages
    request_hash    TEXT,                    -- of the body, for idempotent replays
    sub_id          INTEGER NOT NULL REFERENCES subscriptions(id),
    usage_time      INTEGER NOT NULL,        -- unix seconds, UTC
    quantity_milli  INTEGER NOT NULL,        -- reported
    accepted_milli  INTEGER NOT NULL,        -- accepted (billable)
    app_id          TEXT NOT NULL DEFAULT '',
    project_hrn     TEXT NOT NULL DEFAULT '',
    billing_tag     TEXT NOT NULL DEFAULT '',
    resource        TEXT NOT NULL DEFAULT '',
    channel_id      TEXT NOT NULL DEFAULT '',
    created_time    INTEGER NOT NULL,
    updated_time    INTEGER NOT NULL
);
CREATE INDEX usage_records_sub_time ON usage_records(sub_id, usage_time);

-- Rollups kept current as usage is written; queries read these, not the raw records.
CREATE TABLE usage_hourly (
    sub_id         INTEGER NOT NULL,
    t              INTEGER NOT NULL,         -- start of the UTC hour, unix seconds
    app_id         TEXT NOT NULL,
    project_hrn    TEXT NOT NULL,
    billing_tag    TEXT NOT NULL,
    resource       TEXT NOT NULL,
    channel_id     TEXT NOT NULL,
    usage_milli    INTEGER NOT NULL,
    billable_milli INTEGER NOT NULL,
    PRIMARY KEY (sub_id, t, app_id, project_hrn, billing_tag, resource, channel_id)
) WITHOUT ROWID;

CREATE TABLE usage_daily (
    sub_id         INTEGER NOT NULL,
    t              INTEGER NOT NULL,         -- start of the UTC day, unix seconds
    app_id         TEXT NOT NULL,
    project_hrn    TEXT NOT NULL,
    billing_tag    TEXT NOT NULL,
    resource       TEXT NOT NULL,
    channel_id     TEXT NOT NULL,
    usage_milli    INTEGER NOT NULL,
    billable_milli INTEGER NOT NULL,
    PRIMARY KEY (sub_id, t, app_id, project_hrn, billing_tag, resource, channel_id)
) WITHOUT ROWID;

-- Bearer tokens, stored as SHA-256 hashes only.
CREATE TABLE tokens (
    hash       TEXT PRIMARY KEY,
    realm_id   TEXT NOT NULL REFERENCES orgs(realm_id),
    scopes     TEXT NOT NULL,                -- space separated
    label      TEXT NOT NULL DEFAULT '',
    created    INTEGER NOT NULL
);
