-- Highland hub, schema 10: what the log holds from each device, and a key
-- to seal the hub's own operations.
--
-- Every sync answer says how many of the asking device's operations the log
-- holds and the newest timestamp among them (docs/sync-protocol.md section
-- 14): a device whose operations the hub lost sends again only those, and a
-- device whose own file went back takes its operations back. This index
-- makes both a range count.
CREATE INDEX op_log_by_device ON op_log (device_id, hlc);

-- The key of the seal (HMAC-SHA256) on every operation the hub authors
-- (orders, staff actions), so that a device may give one back to a hub
-- that lost it and the hub can tell it wrote it. Filled in when the
-- database is opened; kept in backups, so a restored hub knows its seals.
ALTER TABLE hub_identity ADD COLUMN seal_key TEXT;

-- The sync protocol version each device spoke at its last sync, beside its
-- app version (from its User-Agent): which tablets need an update.
ALTER TABLE devices ADD COLUMN protocol INTEGER;
