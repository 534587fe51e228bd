-- The hub's own history. Each incarnation is one unbroken run of the
-- database: a new one begins when the database is created, restored from a
-- backup or moved to another back end. Log positions never repeat within
-- one, but may across them (a restored log hands out again the positions
-- it had lost), which is how a device knows to send again what the hub no
-- longer holds. The highest number is the current one.
CREATE TABLE incarnations (
    number        INTEGER PRIMARY KEY,
    id            TEXT    NOT NULL UNIQUE,
    reason        TEXT    NOT NULL CHECK (reason IN ('created', 'restored', 'migrated')),
    started_at_ms INTEGER NOT NULL,
    -- The log's last position when it began.
    log_start     INTEGER NOT NULL
);
