-- Tokens may expire (Unix seconds); NULL never expires. An embedding host hands out
-- short-lived tokens and refreshes them when the API answers 401.
ALTER TABLE tokens ADD COLUMN expires INTEGER;
