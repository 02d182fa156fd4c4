-- The rollups' primary keys carry the two sums, so a query reads a cell from the index alone
-- (an index-only scan) instead of one heap page a cell: a zone's day edges are hundreds of
-- small ranges (Kolkata's 95 days: 96 six-hour and 96 quarter-hour ranges for each
-- subscription), and their cells lie scattered over the heap, each on a page of its own.
-- At 10 million records that query went from 13 to 7 ms in the database. The upserts that
-- record usage still find their row by the same key; only the visibility map (kept by
-- autovacuum) decides how many pages a scan must still visit.
ALTER TABLE usage_quarter DROP CONSTRAINT usage_quarter_pkey,
    ADD PRIMARY KEY (sub_id, t, app_id, project_hrn, billing_tag, resource, channel_id)
        INCLUDE (usage_milli, billable_milli);
ALTER TABLE usage_hourly DROP CONSTRAINT usage_hourly_pkey,
    ADD PRIMARY KEY (sub_id, t, app_id, project_hrn, billing_tag, resource, channel_id)
        INCLUDE (usage_milli, billable_milli);
ALTER TABLE usage_six_hours DROP CONSTRAINT usage_six_hours_pkey,
    ADD PRIMARY KEY (sub_id, t, app_id, project_hrn, billing_tag, resource, channel_id)
        INCLUDE (usage_milli, billable_milli);
ALTER TABLE usage_daily DROP CONSTRAINT usage_daily_pkey,
    ADD PRIMARY KEY (sub_id, t, app_id, project_hrn, billing_tag, resource, channel_id)
        INCLUDE (usage_milli, billable_milli);
