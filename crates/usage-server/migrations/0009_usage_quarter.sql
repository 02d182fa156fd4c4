-- Quarter hours: the rollup that keeps zones with :30 and :45 offsets (Kolkata, Kathmandu,
-- St John's) exact without reading raw records at their day boundaries (see query.rs).
CREATE TABLE usage_quarter (
    sub_id         INTEGER NOT NULL,
    t              INTEGER NOT NULL,         -- start of the UTC quarter hour, unix seconds
    app_id         TEXT NOT NULL,
    project_hrn    TEXT NOT NULL,
    billing_tag    TEXT NOT NULL,
    resource       TEXT NOT NULL,
    channel_id     TEXT NOT NULL,
    usage_milli    INTEGER NOT NULL,
    billable_milli INTEGER NOT NULL,
    PRIMARY KEY (sub_id, t, app_id, project_hrn, billing_tag, resource, channel_id)
) WITHOUT ROWID;

INSERT INTO usage_quarter (sub_id, t, app_id, project_hrn, billing_tag, resource, channel_id, usage_milli, billable_milli)
SELECT sub_id, usage_time - usage_time % 900, app_id, project_hrn, billing_tag, resource, channel_id,
       SUM(quantity_milli), SUM(accepted_milli)
FROM usage_records
GROUP BY sub_id, usage_time - usage_time % 900, app_id, project_hrn, billing_tag, resource, channel_id;
