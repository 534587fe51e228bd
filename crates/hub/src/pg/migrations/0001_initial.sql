-- Highland hub on PostgreSQL, schema 1 (the same as SQLite's, in PostgreSQL's types).
-- Text is compared byte by byte (COLLATE "C"), as SQLite does, so ids sort alike.
-- The log is the source of truth that devices pull; the tables after it are
-- the merged state, applied by the same rules as on the devices. Stock is
-- never stored: it is derived from stock_adjustments and sales, which are
-- insert-only, so sales from several devices add up instead of overwriting.
-- Times ending in _ms are milliseconds since the Unix epoch; hlc columns are
-- hybrid logical timestamps (highland_domain::Hlc).

CREATE TABLE sellers (
    id            TEXT COLLATE "C" PRIMARY KEY,
    name          TEXT COLLATE "C"    NOT NULL,
    village       TEXT COLLATE "C"    NOT NULL,
    phone         TEXT COLLATE "C",
    created_at_ms BIGINT NOT NULL
);

-- One-time codes, kept as SHA-256 hashes of their canonical symbols.
CREATE TABLE enrollment_codes (
    code_hash     TEXT COLLATE "C" PRIMARY KEY,
    seller_id     TEXT COLLATE "C"    NOT NULL REFERENCES sellers (id),
    issued_at_ms  BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    used_by       TEXT COLLATE "C",
    used_at_ms    BIGINT
);

-- A device works for one seller; its token is kept only as a SHA-256 hash.
CREATE TABLE devices (
    id             TEXT COLLATE "C" PRIMARY KEY,
    seller_id      TEXT COLLATE "C"    NOT NULL REFERENCES sellers (id),
    token_hash     TEXT COLLATE "C"    NOT NULL UNIQUE,
    enrolled_at_ms BIGINT NOT NULL
);

-- The hub's hybrid logical clock, in the database so that several hub
-- processes sharing it also share one clock.
CREATE TABLE hub_clock (
    id  BIGINT PRIMARY KEY CHECK (id = 1),
    hlc BIGINT NOT NULL
);
INSERT INTO hub_clock (id, hlc) VALUES (1, 0);

-- Every accepted operation, once, in the order the hub accepted it. seq is
-- the devices' cursor; BIGSERIAL; appends are serialized (see pg/ledger.rs).
CREATE TABLE op_log (
    seq            BIGSERIAL PRIMARY KEY,
    op_id          TEXT COLLATE "C"    NOT NULL UNIQUE,
    seller_id      TEXT COLLATE "C"    NOT NULL REFERENCES sellers (id),
    device_id      TEXT COLLATE "C"    NOT NULL,
    -- As accepted: the device's own timestamp, or the hub's if it re-stamped it.
    hlc            BIGINT NOT NULL,
    body           TEXT COLLATE "C"    NOT NULL,
    received_at_ms BIGINT NOT NULL
);
CREATE INDEX op_log_by_seller ON op_log (seller_id, seq);

CREATE TABLE lots (
    id           TEXT COLLATE "C" PRIMARY KEY,
    seller_id    TEXT COLLATE "C"    NOT NULL REFERENCES sellers (id),
    village      TEXT COLLATE "C"    NOT NULL,
    altitude_m   BIGINT,
    harvested_on TEXT COLLATE "C",
    environment  TEXT COLLATE "C",
    created_hlc  BIGINT NOT NULL
);

CREATE TABLE listings (
    id          TEXT COLLATE "C" PRIMARY KEY,
    seller_id   TEXT COLLATE "C"    NOT NULL REFERENCES sellers (id),
    title       TEXT COLLATE "C"    NOT NULL,
    category    TEXT COLLATE "C"    NOT NULL,
    unit        TEXT COLLATE "C"    NOT NULL,
    price_fen   BIGINT NOT NULL CHECK (price_fen > 0),
    status      TEXT COLLATE "C"    NOT NULL,
    description TEXT COLLATE "C",
    -- A soft reference: a listing may arrive before its lot.
    lot_id      TEXT COLLATE "C",
    created_hlc BIGINT NOT NULL
);
CREATE INDEX listings_by_seller ON listings (seller_id, created_hlc, id);

-- The version each listing field was last written at (last writer wins per field).
CREATE TABLE listing_field_versions (
    listing_id TEXT COLLATE "C"    NOT NULL REFERENCES listings (id),
    field      TEXT COLLATE "C"    NOT NULL,
    hlc        BIGINT NOT NULL,
    device_id  TEXT COLLATE "C"    NOT NULL,
    op_id      TEXT COLLATE "C"    NOT NULL,
    PRIMARY KEY (listing_id, field)
);

CREATE TABLE sales (
    id             TEXT COLLATE "C" PRIMARY KEY,
    listing_id     TEXT COLLATE "C"    NOT NULL REFERENCES listings (id),
    seller_id      TEXT COLLATE "C"    NOT NULL REFERENCES sellers (id),
    quantity       BIGINT NOT NULL CHECK (quantity > 0),
    unit           TEXT COLLATE "C"    NOT NULL,
    unit_price_fen BIGINT NOT NULL CHECK (unit_price_fen > 0),
    total_fen      BIGINT NOT NULL CHECK (total_fen >= 0),
    payment        TEXT COLLATE "C"    NOT NULL,
    buyer          TEXT COLLATE "C",
    sold_at        TEXT COLLATE "C"    NOT NULL,
    hlc            BIGINT NOT NULL,
    device_id      TEXT COLLATE "C"    NOT NULL
);
CREATE INDEX sales_by_listing ON sales (listing_id);
CREATE INDEX sales_by_seller ON sales (seller_id, hlc);

CREATE TABLE stock_adjustments (
    id         TEXT COLLATE "C" PRIMARY KEY,
    listing_id TEXT COLLATE "C"    NOT NULL REFERENCES listings (id),
    seller_id  TEXT COLLATE "C"    NOT NULL REFERENCES sellers (id),
    kind       TEXT COLLATE "C"    NOT NULL CHECK (kind IN ('received', 'correction')),
    change     BIGINT NOT NULL CHECK (change <> 0),
    unit       TEXT COLLATE "C"    NOT NULL,
    reason     TEXT COLLATE "C",
    at         TEXT COLLATE "C"    NOT NULL,
    hlc        BIGINT NOT NULL,
    device_id  TEXT COLLATE "C"    NOT NULL
);
CREATE INDEX stock_adjustments_by_listing ON stock_adjustments (listing_id);
