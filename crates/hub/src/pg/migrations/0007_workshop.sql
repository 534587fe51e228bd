-- Highland hub on PostgreSQL, schema 7 (the same as SQLite's, in
-- PostgreSQL's types): workshop mode's settings, its trainees, and when
-- each device last synced, which the projector shows.

CREATE TABLE workshop_settings (
    key       TEXT COLLATE "C" PRIMARY KEY,
    value     TEXT,
    set_at_ms BIGINT NOT NULL,
    -- Counts every change, so the projector sees two within a millisecond.
    revision  BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE workshop_trainees (
    number    BIGINT PRIMARY KEY,
    seller_id TEXT COLLATE "C" NOT NULL UNIQUE REFERENCES sellers (id)
);

ALTER TABLE devices ADD COLUMN last_sync_at_ms BIGINT;
