-- Highland device store, schema 11: the health of this file. A full
-- integrity check reads every row of every table against every index; it
-- runs after an unclean shutdown and at least once a day, so the store
-- remembers when it last ran. And what the last check found and did (an
-- index rebuilt, or the whole file set aside and the store rebuilt from the
-- hub and the old outbox), for the seller: a JSON object, null while all
-- is well. Like the sync state, this belongs to the file and never syncs.

CREATE TABLE store_health (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    -- RFC 3339, UTC, by the device's clock.
    last_full_check_at TEXT,
    last_repair        TEXT
);
INSERT INTO store_health (id) VALUES (1);
