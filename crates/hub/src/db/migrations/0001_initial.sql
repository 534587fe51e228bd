-- Highland hub, schema 1.
-- The log is the source of truth that devices pull; the tables after it are
-- the merged state, applied by the same rules as on the devices. Stock is
-- never stored: it is derived from stock_adjustments and sales, which are
-- insert-only, so sales from several devices add up instead of overwriting.
-- Times ending in _ms are milliseconds since the Unix epoch; hlc columns are
-- hybrid logical timestamps (highland_domain::Hlc).

CREATE TABLE sellers (
    id            TEXT PRIMARY KEY,
    name          TEXT    NOT NULL,
    village       TEXT    NOT NULL,
    phone         TEXT,
    created_at_ms INTEGER NOT NULL
);

-- One-time codes, kept as SHA-256 hashes of their canonical symbols.
CREATE TABLE enrollment_codes (
    code_hash     TEXT PRIMARY KEY,
    seller_id     TEXT    NOT NULL REFERENCES sellers (id),
    issued_at_ms  INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    used_by       TEXT,
    used_at_ms    INTEGER
) WITHOUT ROWID;

-- A device works for one seller; its token is kept only as a SHA-256 hash.
CREATE TABLE devices (
    id             TEXT PRIMARY KEY,
    seller_id      TEXT    NOT NULL REFERENCES sellers (id),
    token_hash     TEXT    NOT NULL UNIQUE,
    enrolled_at_ms INTEGER NOT NULL
);

-- The hub's hybrid logical clock, in the database so that several hub
-- processes sharing it also share one clock.
CREATE TABLE hub_clock (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    hlc INTEGER NOT NULL
);
INSERT INTO hub_clock (id, hlc) VALUES (1, 0);

-- Every accepted operation, once, in the order the hub accepted it. seq is
-- the devices' cursor; AUTOINCREMENT so a position is never reused.
CREATE TABLE op_log (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id          TEXT    NOT NULL UNIQUE,
    seller_id      TEXT    NOT NULL REFERENCES sellers (id),
    device_id      TEXT    NOT NULL,
    -- As accepted: the device's own timestamp, or the hub's if it re-stamped it.
    hlc            INTEGER NOT NULL,
    body           TEXT    NOT NULL,
    received_at_ms INTEGER NOT NULL
);
CREATE INDEX op_log_by_seller ON op_log (seller_id, seq);

CREATE TABLE lots (
    id           TEXT PRIMARY KEY,
    seller_id    TEXT    NOT NULL REFERENCES sellers (id),
    village      TEXT    NOT NULL,
    altitude_m   INTEGER,
    harvested_on TEXT,
    environment  TEXT,
    created_hlc  INTEGER NOT NULL
);

CREATE TABLE listings (
    id          TEXT PRIMARY KEY,
    seller_id   TEXT    NOT NULL REFERENCES sellers (id),
    title       TEXT    NOT NULL,
    category    TEXT    NOT NULL,
    unit        TEXT    NOT NULL,
    price_fen   INTEGER NOT NULL CHECK (price_fen > 0),
    status      TEXT    NOT NULL,
    description TEXT,
    -- A soft reference: a listing may arrive before its lot.
    lot_id      TEXT,
    created_hlc INTEGER NOT NULL
);
CREATE INDEX listings_by_seller ON listings (seller_id, created_hlc, id);

-- The version each listing field was last written at (last writer wins per field).
CREATE TABLE listing_field_versions (
    listing_id TEXT    NOT NULL REFERENCES listings (id),
    field      TEXT    NOT NULL,
    hlc        INTEGER NOT NULL,
    device_id  TEXT    NOT NULL,
    op_id      TEXT    NOT NULL,
    PRIMARY KEY (listing_id, field)
) WITHOUT ROWID;

CREATE TABLE sales (
    id             TEXT PRIMARY KEY,
    listing_id     TEXT    NOT NULL REFERENCES listings (id),
    seller_id      TEXT    NOT NULL REFERENCES sellers (id),
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    unit           TEXT    NOT NULL,
    unit_price_fen INTEGER NOT NULL CHECK (unit_price_fen > 0),
    total_fen      INTEGER NOT NULL CHECK (total_fen >= 0),
    payment        TEXT    NOT NULL,
    buyer          TEXT,
    sold_at        TEXT    NOT NULL,
    hlc            INTEGER NOT NULL,
    device_id      TEXT    NOT NULL
);
CREATE INDEX sales_by_listing ON sales (listing_id);
CREATE INDEX sales_by_seller ON sales (seller_id, hlc);

CREATE TABLE stock_adjustments (
    id         TEXT PRIMARY KEY,
    listing_id TEXT    NOT NULL REFERENCES listings (id),
    seller_id  TEXT    NOT NULL REFERENCES sellers (id),
    kind       TEXT    NOT NULL CHECK (kind IN ('received', 'correction')),
    change     INTEGER NOT NULL CHECK (change <> 0),
    unit       TEXT    NOT NULL,
    reason     TEXT,
    at         TEXT    NOT NULL,
    hlc        INTEGER NOT NULL,
    device_id  TEXT    NOT NULL
);
CREATE INDEX stock_adjustments_by_listing ON stock_adjustments (listing_id);
