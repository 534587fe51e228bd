-- Highland device store, schema 5: certificates of compliance (承诺达标合格证).
-- A certificate is a fact about a lot, issued once and never edited or
-- deleted, so the table is insert-only like sales. The quantity is exact, in
-- the base unit of `unit` (the unit it was issued in).

CREATE TABLE certificates (
    id        TEXT PRIMARY KEY,
    -- A soft reference, like listings.lot_id: a certificate issued on the
    -- seller's other device may arrive here before its lot.
    lot_id    TEXT    NOT NULL,
    product   TEXT    NOT NULL,
    quantity  INTEGER NOT NULL CHECK (quantity > 0),
    unit      TEXT    NOT NULL,
    origin    TEXT    NOT NULL,
    issuer    TEXT    NOT NULL,
    contact   TEXT,
    -- YYYY-MM-DD
    issued_on TEXT    NOT NULL,
    basis     TEXT    NOT NULL,
    hlc       INTEGER NOT NULL,
    device_id TEXT    NOT NULL
);
CREATE INDEX certificates_by_lot ON certificates (lot_id, hlc);
CREATE INDEX certificates_by_time ON certificates (hlc);
