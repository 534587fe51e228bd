-- Highland device store, schema 7: the workshop's guided lesson, and whether
-- the hub could be reached when last tried.
-- Both belong to this device and never sync: a lesson is one trainee's
-- practice, and the link is this device's own.

-- At most one lesson at a time; starting again replaces it.
CREATE TABLE lesson (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    started_at TEXT NOT NULL
);

-- A step is done once, by the first operation (or sync) that did it.
CREATE TABLE lesson_steps (
    step         TEXT PRIMARY KEY,
    done_at      TEXT NOT NULL,
    -- The operation that did it: for the offline sale, the sync step waits
    -- until the hub has acknowledged this one.
    operation_id TEXT
);

-- Whether the last attempt to reach the hub (or the workshop's simulated
-- network) said the hub could be reached. Unknown until first tried.
CREATE TABLE link (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    reachable INTEGER NOT NULL CHECK (reachable IN (0, 1)),
    since     TEXT NOT NULL
);
