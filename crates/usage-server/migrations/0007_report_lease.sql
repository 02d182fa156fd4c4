-- A running report's lease (Unix seconds): its worker renews it while it runs; a report whose
-- lease has run out lost its worker (a process killed, a machine gone) and is taken by
-- another, on this server or on another replica. NULL for reports that never ran.
ALTER TABLE reports ADD COLUMN lease_until INTEGER;
