-- Highland device store, schema 2: what the device needs to sync with a hub.

CREATE TABLE sync_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    hub_url         TEXT,
    seller_id       TEXT,
    seller_name     TEXT,
    village         TEXT,
    device_token    TEXT,
    -- The hub log position up to which pulled operations are committed here.
    cursor          INTEGER NOT NULL DEFAULT 0,
    last_sync_at    TEXT,
    last_error      TEXT,
    -- Hub time minus this device's clock, once they differ by minutes; new
    -- operations are stamped with the corrected time.
    clock_offset_ms INTEGER NOT NULL DEFAULT 0
);
INSERT INTO sync_state (id) VALUES (1);
