-- When a completed report's data was read (contract section 8, asOf).
ALTER TABLE reports ADD COLUMN as_of INTEGER;
