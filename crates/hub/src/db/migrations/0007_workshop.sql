-- Workshop mode (highland-hub workshop): the class's settings, which
-- sellers are the trainees, and when each device last synced, which the
-- projector shows. A hub that never runs a workshop keeps these empty.

-- One row per setting the trainer changes (the simulated network, whether
-- the demo data is seeded); `value` NULL means "cleared", with its time.
CREATE TABLE workshop_settings (
    key       TEXT PRIMARY KEY,
    value     TEXT,
    set_at_ms INTEGER NOT NULL,
    -- Counts every change, so the projector sees two within a millisecond.
    revision  INTEGER NOT NULL DEFAULT 1
);

-- Trainee n is seller "Trainee n"; numbered so a restart finds them again.
CREATE TABLE workshop_trainees (
    number    INTEGER PRIMARY KEY,
    seller_id TEXT NOT NULL UNIQUE REFERENCES sellers (id)
);

-- Set by every sync, pushes or not: the only trace a pull-only sync leaves.
ALTER TABLE devices ADD COLUMN last_sync_at_ms INTEGER;
