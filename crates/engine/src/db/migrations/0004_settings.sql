-- Highland device store, schema 4: the app's settings on this device.
-- Settings belong to the device, not to the seller's data: changing one is
-- not an operation, goes to no outbox and never syncs.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
