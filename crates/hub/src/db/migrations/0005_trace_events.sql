-- The chain after the harvest, and the certificates sellers issue.
-- Every table here is insert-only: these are facts, and the rules on
-- certificates of compliance ask that they be kept (at least six months;
-- the hub keeps them for good). Bodies are the domain values as JSON
-- (highland_domain::TraceEvent, Certificate): they never change, so
-- nothing needs their fields as columns but the keys the queries use.

-- What the buyer's staff recorded about a lot: received, processed,
-- inspected, packed, shipped.
CREATE TABLE trace_events (
    id             TEXT PRIMARY KEY,
    lot_id         TEXT    NOT NULL,
    step           TEXT    NOT NULL,
    at             TEXT    NOT NULL,
    body           TEXT    NOT NULL,
    recorded_at_ms INTEGER NOT NULL
);
CREATE INDEX trace_events_by_lot ON trace_events (lot_id, at);

-- Lots made at the buyer's by a processing event, found by the code on
-- their label or by GS1 Digital Link (GTIN and code).
CREATE TABLE product_lots (
    id         TEXT PRIMARY KEY,
    trace_code TEXT NOT NULL,
    gtin       TEXT,
    name       TEXT NOT NULL,
    event_id   TEXT NOT NULL REFERENCES trace_events (id)
);
CREATE INDEX product_lots_by_trace_code ON product_lots (trace_code);

-- Which lots went into which: walks a chain back to its harvests, and on
-- a village lot's page forward to the products made from it.
CREATE TABLE lot_inputs (
    event_id      TEXT NOT NULL REFERENCES trace_events (id),
    output_lot_id TEXT NOT NULL,
    input_lot_id  TEXT NOT NULL,
    PRIMARY KEY (event_id, input_lot_id)
);
CREATE INDEX lot_inputs_by_output ON lot_inputs (output_lot_id);
CREATE INDEX lot_inputs_by_input ON lot_inputs (input_lot_id);

-- Certificates of compliance (承诺达标合格证), as the seller's device
-- issued them.
CREATE TABLE certificates (
    id        TEXT PRIMARY KEY,
    lot_id    TEXT    NOT NULL,
    seller_id TEXT    NOT NULL REFERENCES sellers (id),
    issued_on TEXT    NOT NULL,
    body      TEXT    NOT NULL,
    hlc       INTEGER NOT NULL
);
CREATE INDEX certificates_by_lot ON certificates (lot_id);
