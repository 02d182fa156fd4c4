-- Six hours (00:00, 06:00, 12:00, 18:00 UTC): a :30 zone's day boundary (Kolkata's 18:30 UTC) is one
-- six-hour cell and two quarter hours from a UTC midnight, not five hours and two quarters.
CREATE TABLE usage_six_hours (
    sub_id         INTEGER NOT NULL,
    t              INTEGER NOT NULL,         -- start of the UTC six hours (00, 06, 12, 18), unix seconds
    app_id         TEXT NOT NULL,
    project_hrn    TEXT NOT NULL,
    billing_tag    TEXT NOT NULL,
    resource       TEXT NOT NULL,
    channel_id     TEXT NOT NULL,
    usage_milli    INTEGER NOT NULL,
    billable_milli INTEGER NOT NULL,
    PRIMARY KEY (sub_id, t, app_id, project_hrn, billing_tag, resource, channel_id)
) WITHOUT ROWID;

-- From the hourly rollup, which is exact and whose hours the six hours are made of.
INSERT INTO usage_six_hours (sub_id, t, app_id, project_hrn, billing_tag, resource, channel_id, usage_milli, billable_milli)
SELECT sub_id, t - t % 21600, app_id, project_hrn, billing_tag, resource, channel_id,
       SUM(usage_milli), SUM(billable_milli)
FROM usage_hourly
GROUP BY sub_id, t - t % 21600, app_id, project_hrn, billing_tag, resource, channel_id;
