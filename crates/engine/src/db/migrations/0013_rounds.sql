-- Highland device store, schema 13: collection rounds. The hub plans a
-- round (one truck, one day, its stops) and sends it to every seller with
-- an order on it; orders are put on a round at a stop and, at the stop, what
-- was loaded is recorded. All three come from the hub and the newest by
-- version (HLC, then device) stands. The seller's answer ("I will be there",
-- "I cannot come") is a proposal like an order action.

-- A round as the hub last sent it.
CREATE TABLE rounds (
    id         TEXT PRIMARY KEY,
    date       TEXT    NOT NULL,
    vehicle    TEXT    NOT NULL,
    capacity_g INTEGER NOT NULL CHECK (capacity_g > 0),
    state      TEXT    NOT NULL,
    -- The stops in the order the truck makes them (JSON, as on the wire):
    -- read whole, never queried one by one.
    stops      TEXT    NOT NULL,
    hlc        INTEGER NOT NULL,
    device_id  TEXT    NOT NULL
);
CREATE INDEX rounds_by_date ON rounds (date, id);

-- Where each order rides, and what was loaded for it; NULL until then.
ALTER TABLE orders ADD COLUMN round_id TEXT;
ALTER TABLE orders ADD COLUMN stop_id TEXT;
ALTER TABLE orders ADD COLUMN routed_hlc INTEGER;
ALTER TABLE orders ADD COLUMN routed_device TEXT;
ALTER TABLE orders ADD COLUMN loaded_quantity INTEGER;
ALTER TABLE orders ADD COLUMN loaded_weight_g INTEGER;
ALTER TABLE orders ADD COLUMN loaded_at TEXT;
ALTER TABLE orders ADD COLUMN loaded_hlc INTEGER;
ALTER TABLE orders ADD COLUMN loaded_device TEXT;
CREATE INDEX orders_by_round ON orders (round_id) WHERE round_id IS NOT NULL;

-- The seller's answer to a round as the hub confirmed it (the newest by
-- version), and the hub's last refusal of this device's answer, kept until
-- the seller answers again. An answer not confirmed yet waits in the outbox
-- and is shown from there.
CREATE TABLE round_answers (
    round_id  TEXT PRIMARY KEY,
    answer    TEXT CHECK (answer IN ('coming', 'not-coming')),
    reason    TEXT,
    at        TEXT,
    hlc       INTEGER,
    device_id TEXT,
    -- JSON {code, message}.
    refusal   TEXT
);

-- What one unit of a listing not sold by weight weighs (a jar, a bag).
ALTER TABLE listings ADD COLUMN weight_per_unit_g INTEGER;
