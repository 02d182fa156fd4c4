-- A token can be revoked (Unix seconds when it was; NULL while it is live). The row is kept so
-- that `list-tokens` still shows what the token was and when it stopped working.
ALTER TABLE tokens ADD COLUMN revoked INTEGER;
