-- Highland hub, schema 12: collection rounds. Staff plan a round (one
-- truck, one day, its stops); orders are put on a round at a stop; at each
-- stop, what was loaded for each order is recorded; sellers answer whether
-- they will be there; and once the truck is back, what the trip cost.
-- Rounds, routes and loads travel to the sellers' devices as operations the
-- hub makes (round_published, order_routed, order_loaded), and a seller's
-- answer comes as a proposal (round_answered); each keeps the newest by
-- version (HLC, then device), as on the devices. The cost is the buyer's own
-- and never leaves the hub.

CREATE TABLE rounds (
    id            TEXT PRIMARY KEY,
    date          TEXT    NOT NULL,
    vehicle       TEXT    NOT NULL,
    capacity_g    INTEGER NOT NULL CHECK (capacity_g > 0),
    state         TEXT    NOT NULL,
    -- The stops in the order the truck makes them (JSON, as on the wire);
    -- orders name their stop by id.
    stops         TEXT    NOT NULL,
    -- The version of the plan: the hub's HLC when it last changed.
    hlc           INTEGER NOT NULL,
    device_id     TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL,
    -- What the trip cost, in fen, once it is done.
    fuel_fen      INTEGER,
    driver_fen    INTEGER,
    tolls_fen     INTEGER,
    cost_at       TEXT
);
CREATE INDEX rounds_by_date ON rounds (date, id);

-- Where each order rides, and the version of that route.
ALTER TABLE orders ADD COLUMN round_id TEXT;
ALTER TABLE orders ADD COLUMN stop_id TEXT;
ALTER TABLE orders ADD COLUMN routed_hlc INTEGER;
ALTER TABLE orders ADD COLUMN routed_device TEXT;
CREATE INDEX orders_by_round ON orders (round_id, stop_id);

-- What was loaded for an order at its stop; a correction replaces it.
CREATE TABLE order_loads (
    order_id       TEXT PRIMARY KEY REFERENCES orders (id),
    round_id       TEXT    NOT NULL,
    stop_id        TEXT    NOT NULL,
    -- In the order's base unit.
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    weight_g       INTEGER NOT NULL CHECK (weight_g > 0),
    at             TEXT    NOT NULL,
    hlc            INTEGER NOT NULL,
    device_id      TEXT    NOT NULL,
    -- The `shipped` step this load puts on its lot's trace page: an id of
    -- its own, so the step is one event however often it is corrected.
    trace_event_id TEXT    NOT NULL,
    staff          TEXT
);
CREATE INDEX order_loads_by_round ON order_loads (round_id);

-- Each seller's answer to a round, the newest by version.
CREATE TABLE round_answers (
    round_id  TEXT    NOT NULL REFERENCES rounds (id),
    seller_id TEXT    NOT NULL REFERENCES sellers (id),
    answer    TEXT    NOT NULL CHECK (answer IN ('coming', 'not-coming')),
    reason    TEXT,
    at        TEXT    NOT NULL,
    hlc       INTEGER NOT NULL,
    device_id TEXT    NOT NULL,
    PRIMARY KEY (round_id, seller_id)
);

-- What one unit of a listing not sold by weight weighs, in grams.
ALTER TABLE listings ADD COLUMN weight_per_unit_g INTEGER;
