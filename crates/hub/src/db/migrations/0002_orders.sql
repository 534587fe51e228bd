-- Highland hub, schema 2: orders from the central buyer.
-- Staff place orders and record receipt, payment and cancellation on the
-- hub; sellers accept, decline and hand over from their devices. Either way
-- the action is an operation in op_log, so every device of the seller pulls
-- it. Operations the hub makes itself carry the hub's own device id.

-- The hub's identity as the author of its own operations: a device id that
-- no enrolled device may take. Filled in when the database is first opened.
CREATE TABLE hub_identity (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    device_id TEXT    NOT NULL
);

-- Each order as it stands. Its quantity holds stock back from the listing
-- while the state is one that reserves it (highland_domain::OrderState::
-- reserves_stock); a receipt ends that and records a sale instead.
CREATE TABLE orders (
    id                TEXT PRIMARY KEY,
    seller_id         TEXT    NOT NULL REFERENCES sellers (id),
    listing_id        TEXT    NOT NULL REFERENCES listings (id),
    -- In the listing's base unit; `unit` is the listing's unit.
    quantity          INTEGER NOT NULL CHECK (quantity > 0),
    unit              TEXT    NOT NULL,
    unit_price_fen    INTEGER NOT NULL CHECK (unit_price_fen > 0),
    hand_over_by      TEXT,
    note              TEXT,
    placed_at         TEXT    NOT NULL,
    placed_hlc        INTEGER NOT NULL,
    state             TEXT    NOT NULL,
    state_changed_at  TEXT    NOT NULL,
    -- Why the seller declined or staff cancelled.
    reason            TEXT,
    received_quantity INTEGER,
    paid_fen          INTEGER,
    paid_method       TEXT
);
CREATE INDEX orders_by_placement ON orders (placed_hlc, id);
CREATE INDEX orders_by_seller ON orders (seller_id, placed_hlc, id);
CREATE INDEX orders_by_state ON orders (state, placed_hlc, id);
-- Covering: reserved stock is summed from the index alone.
CREATE INDEX orders_by_listing ON orders (listing_id, state, quantity);

-- Every action the hub accepted on an order, with the placement as step 0.
-- `step` is OrderState::step of the state the action led to: along any one
-- order's history it only grows, so it orders the history the same way on
-- the hub and on every device.
CREATE TABLE order_history (
    op_id       TEXT PRIMARY KEY,
    order_id    TEXT    NOT NULL REFERENCES orders (id),
    step        INTEGER NOT NULL,
    -- 'place', or the action's slug.
    action      TEXT    NOT NULL,
    actor       TEXT    NOT NULL CHECK (actor IN ('seller', 'staff')),
    -- The device that took it (the hub's own id for staff actions), and the
    -- staff member who did, when the caller said.
    device_id   TEXT    NOT NULL,
    staff       TEXT,
    reason      TEXT,
    quantity    INTEGER,
    amount_fen  INTEGER,
    method      TEXT,
    at          TEXT    NOT NULL,
    hlc         INTEGER NOT NULL
);
CREATE INDEX order_history_by_order ON order_history (order_id, step);

-- The sale that a receipt records points to its order.
ALTER TABLE sales ADD COLUMN order_id TEXT REFERENCES orders (id);
CREATE INDEX sales_by_order ON sales (order_id) WHERE order_id IS NOT NULL;
