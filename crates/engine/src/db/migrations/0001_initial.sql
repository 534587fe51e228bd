-- Highland device store, schema 1.
-- Stock is never stored: it is derived from stock_adjustments and sales, which
-- are insert-only, so sales from several devices add up instead of overwriting.

CREATE TABLE device (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    device_id TEXT    NOT NULL,
    -- The hybrid logical clock's last timestamp, so it never goes back across restarts.
    hlc       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE lots (
    id           TEXT PRIMARY KEY,
    village      TEXT    NOT NULL,
    altitude_m   INTEGER,
    harvested_on TEXT,
    environment  TEXT,
    created_hlc  INTEGER NOT NULL
);

CREATE TABLE listings (
    id          TEXT PRIMARY KEY,
    title       TEXT    NOT NULL,
    category    TEXT    NOT NULL,
    unit        TEXT    NOT NULL,
    price_fen   INTEGER NOT NULL CHECK (price_fen > 0),
    status      TEXT    NOT NULL,
    description TEXT,
    -- A soft reference: a listing may arrive from another device before its lot.
    lot_id      TEXT,
    created_hlc INTEGER NOT NULL
);
CREATE INDEX listings_by_creation ON listings (created_hlc, id);

-- The version each merged field was last written at (last writer wins per field).
CREATE TABLE field_versions (
    entity_id TEXT    NOT NULL,
    field     TEXT    NOT NULL,
    hlc       INTEGER NOT NULL,
    device_id TEXT    NOT NULL,
    op_id     TEXT    NOT NULL,
    PRIMARY KEY (entity_id, field)
) WITHOUT ROWID;

CREATE TABLE sales (
    id             TEXT PRIMARY KEY,
    listing_id     TEXT    NOT NULL REFERENCES listings (id),
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
-- Covering: stock is summed from the index alone.
CREATE INDEX sales_by_listing ON sales (listing_id, quantity);
CREATE INDEX sales_by_time ON sales (hlc);

CREATE TABLE stock_adjustments (
    id         TEXT PRIMARY KEY,
    listing_id TEXT    NOT NULL REFERENCES listings (id),
    kind       TEXT    NOT NULL CHECK (kind IN ('received', 'correction')),
    change     INTEGER NOT NULL CHECK (change <> 0),
    unit       TEXT    NOT NULL,
    reason     TEXT,
    at         TEXT    NOT NULL,
    hlc        INTEGER NOT NULL,
    device_id  TEXT    NOT NULL
);
CREATE INDEX stock_adjustments_by_listing ON stock_adjustments (listing_id, change);

-- Every local write appends its operation here in the same transaction.
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id       TEXT    NOT NULL UNIQUE,
    hlc         INTEGER NOT NULL,
    entity_kind TEXT    NOT NULL,
    entity_id   TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'acked', 'refused')),
    refusal     TEXT
);
CREATE INDEX outbox_by_state ON outbox (state, seq);

-- Operations already applied here, local or pulled, so none is applied twice.
CREATE TABLE applied_ops (
    op_id TEXT PRIMARY KEY
) WITHOUT ROWID;
