-- Highland device store, schema 8: the stable code of the error that last
-- stopped a sync, beside its English message. A front end translates the
-- code, and a code that means "final until enrolled again"
-- (`device_revoked`) keeps the app from asking the hub in the background.

ALTER TABLE sync_state ADD COLUMN last_error_code TEXT;
