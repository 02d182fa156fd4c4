-- Six hours (00:00, 06:00, 12:00, 18:00 UTC): a :30 zone's day boundary (Kolkata's 18:30 UTC) is one
-- six-hour cell and two quarter hours from a UTC midnight, not five hours and two quarters.
CREATE TABLE usage_six_hours (
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

-- From the hourly rollup, which is exact and whose hours the six hours are made of.
INSERT INTO usage_six_hours (sub_id, t, app_id, project_hrn, billing_tag, resource, channel_id, usage_milli, billable_milli)
SELECT sub_id, t - t % 21600, app_id, project_hrn, billing_tag, resource, channel_id,
       SUM(usage_milli), SUM(billable_milli)
FROM usage_hourly
GROUP BY sub_id, t - t % 21600, app_id, project_hrn, billing_tag, resource, channel_id;
