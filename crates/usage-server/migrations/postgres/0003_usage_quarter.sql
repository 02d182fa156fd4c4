-- Quarter hours: the rollup that keeps zones with :30 and :45 offsets (Kolkata, Kathmandu,
-- St John's) exact without reading raw records at their day boundaries (see query.rs).
CREATE TABLE usage_quarter (
    sub_id         BIGINT NOT NULL,
    t              BIGINT NOT NULL,
    app_id         TEXT COLLATE "C" NOT NULL,
    project_hrn    TEXT COLLATE "C" NOT NULL,
    billing_tag    TEXT COLLATE "C" NOT NULL,
    resource       TEXT COLLATE "C" NOT NULL,
    channel_id     TEXT COLLATE "C" NOT NULL,
    usage_milli    BIGINT NOT NULL,
    billable_milli BIGINT NOT NULL,
    PRIMARY KEY (sub_id, t, app_id, project_hrn, billing_tag, resource, channel_id)
);

INSERT INTO usage_quarter (sub_id, t, app_id, project_hrn, billing_tag, resource, channel_id, usage_milli, billable_milli)
SELECT sub_id, usage_time - usage_time % 900, app_id, project_hrn, billing_tag, resource, channel_id,
       SUM(quantity_milli), SUM(accepted_milli)
FROM usage_records
GROUP BY sub_id, usage_time - usage_time % 900, app_id, project_hrn, billing_tag, resource, channel_id;
