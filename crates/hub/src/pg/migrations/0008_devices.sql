-- What the operator needs to find a lost tablet and revoke it: when it was
-- revoked (its token no longer works; its seller's other devices and data
-- stay), which version of the app it last ran (from its User-Agent), and
-- how far into its seller's log it had pulled when it last synced.
ALTER TABLE devices ADD COLUMN revoked_at_ms BIGINT;
ALTER TABLE devices ADD COLUMN app_version TEXT;
ALTER TABLE devices ADD COLUMN pulled_to BIGINT NOT NULL DEFAULT 0;
