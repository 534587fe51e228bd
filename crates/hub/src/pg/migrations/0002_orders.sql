-- Highland hub on PostgreSQL, schema 2 (the same as SQLite's, in PostgreSQL's types): orders from the central buyer.
-- Staff place orders and record receipt, payment and cancellation on the
-- hub; sellers accept, decline and hand over from their devices. Either way
-- the action is an operation in op_log, so every device of the seller pulls
-- it. Operations the hub makes itself carry the hub's own device id.

-- The hub's identity as the author of its own operations: a device id that
-- no enrolled device may take. Filled in when the database is first opened.
CREATE TABLE hub_identity (
    id        BIGINT PRIMARY KEY CHECK (id = 1),
    device_id TEXT COLLATE "C"    NOT NULL
);

-- Each order as it stands. Its quantity holds stock back from the listing
-- while the state is one that reserves it (highland_domain::OrderState::
-- reserves_stock); a receipt ends that and records a sale instead.
CREATE TABLE orders (
    id                TEXT COLLATE "C" PRIMARY KEY,
    seller_id         TEXT COLLATE "C"    NOT NULL REFERENCES sellers (id),
    listing_id        TEXT COLLATE "C"    NOT NULL REFERENCES listings (id),
    -- In the listing's base unit; `unit` is the listing's unit.
    quantity          BIGINT NOT NULL CHECK (quantity > 0),
    unit              TEXT COLLATE "C"    NOT NULL,
    unit_price_fen    BIGINT NOT NULL CHECK (unit_price_fen > 0),
    hand_over_by      TEXT COLLATE "C",
    note              TEXT COLLATE "C",
    placed_at         TEXT COLLATE "C"    NOT NULL,
    placed_hlc        BIGINT NOT NULL,
    state             TEXT COLLATE "C"    NOT NULL,
    state_changed_at  TEXT COLLATE "C"    NOT NULL,
    -- Why the seller declined or staff cancelled.
    reason            TEXT COLLATE "C",
    received_quantity BIGINT,
    paid_fen          BIGINT,
    paid_method       TEXT COLLATE "C"
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
    op_id       TEXT COLLATE "C" PRIMARY KEY,
    order_id    TEXT COLLATE "C"    NOT NULL REFERENCES orders (id),
    step        BIGINT NOT NULL,
    -- 'place', or the action's slug.
    action      TEXT COLLATE "C"    NOT NULL,
    actor       TEXT COLLATE "C"    NOT NULL CHECK (actor IN ('seller', 'staff')),
    -- The device that took it (the hub's own id for staff actions), and the
    -- staff member who did, when the caller said.
    device_id   TEXT COLLATE "C"    NOT NULL,
    staff       TEXT COLLATE "C",
    reason      TEXT COLLATE "C",
    quantity    BIGINT,
    amount_fen  BIGINT,
    method      TEXT COLLATE "C",
    at          TEXT COLLATE "C"    NOT NULL,
    hlc         BIGINT NOT NULL
);
CREATE INDEX order_history_by_order ON order_history (order_id, step);

-- The sale that a receipt records points to its order.
ALTER TABLE sales ADD COLUMN order_id TEXT COLLATE "C" REFERENCES orders (id);
CREATE INDEX sales_by_order ON sales (order_id) WHERE order_id IS NOT NULL;
