-- A client's idempotency key (`id` of POST /usages) is unique per realm, not across tenants:
-- another realm using the same id is unaffected and learns nothing. SQLite cannot drop the
-- inline UNIQUE of 0001, so the table is rebuilt (rowids, and so `rec_N` ids, are kept).
CREATE TABLE usage_records_new (
    id              INTEGER PRIMARY KEY,
    client_id       TEXT,                    -- the `id` a client gave POST /usages, or a server-made usg_…
    id_realm        TEXT,                    -- the realm client_id belongs to (NULL without one)
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
INSERT INTO usage_records_new (id, client_id, id_realm, request_hash, sub_id, usage_time,
        quantity_milli, accepted_milli, app_id, project_hrn, billing_tag, resource, channel_id,
        created_time, updated_time)
    SELECT r.id, r.client_id,
           CASE WHEN r.client_id IS NULL THEN NULL
                ELSE (SELECT s.realm_id FROM subscriptions s WHERE s.id = r.sub_id) END,
           r.request_hash, r.sub_id, r.usage_time, r.quantity_milli, r.accepted_milli, r.app_id,
           r.project_hrn, r.billing_tag, r.resource, r.channel_id, r.created_time, r.updated_time
    FROM usage_records r;
DROP TABLE usage_records;
ALTER TABLE usage_records_new RENAME TO usage_records;
CREATE INDEX usage_records_sub_time ON usage_records(sub_id, usage_time);
CREATE UNIQUE INDEX usage_records_client_id ON usage_records(id_realm, client_id)
    WHERE client_id IS NOT NULL;
