-- Highland device store, schema 3: orders from the central buyer.
-- The hub places orders and decides every transition. The device keeps two
-- states per order: what the hub confirmed, and what the seller sees, which
-- is the confirmed state with this device's pending proposals (accept,
-- decline, hand over) applied, so an order accepted offline holds its stock
-- at once. The proposals themselves wait in the outbox like any operation.

CREATE TABLE orders (
    id                TEXT PRIMARY KEY,
    listing_id        TEXT    NOT NULL REFERENCES listings (id),
    -- In the listing's base unit; `unit` is the listing's unit.
    quantity          INTEGER NOT NULL CHECK (quantity > 0),
    unit              TEXT    NOT NULL,
    unit_price_fen    INTEGER NOT NULL CHECK (unit_price_fen > 0),
    hand_over_by      TEXT,
    note              TEXT,
    placed_at         TEXT    NOT NULL,
    placed_hlc        INTEGER NOT NULL,
    -- The furthest state any action the hub confirmed led to
    -- (highland_domain::OrderState::furthest), whatever order they came in.
    confirmed_state   TEXT    NOT NULL,
    -- What the seller sees, and what reserves stock: confirmed_state with the
    -- pending proposals that still apply to it.
    state             TEXT    NOT NULL,
    -- Those proposals, a JSON array of actions; NULL when there are none.
    pending           TEXT,
    -- The hub's last refusal of a proposal here (JSON: action, code,
    -- message), kept until the seller acts on the order again.
    refusal           TEXT,
    -- Why the seller declined or staff cancelled, once confirmed.
    reason            TEXT,
    received_quantity INTEGER,
    paid_fen          INTEGER,
    paid_method       TEXT
);
CREATE INDEX orders_by_placement ON orders (placed_hlc, id);
-- Covering: reserved stock is summed from the index alone.
CREATE INDEX orders_by_listing ON orders (listing_id, state, quantity);

-- Every action the hub confirmed, and the placement as step 0. `step` is
-- OrderState::step of the state the action led to, which only grows along
-- an order's history, so it orders the history as the hub does.
CREATE TABLE order_history (
    op_id      TEXT PRIMARY KEY,
    order_id   TEXT    NOT NULL REFERENCES orders (id),
    step       INTEGER NOT NULL,
    -- 'place', or the action's slug.
    action     TEXT    NOT NULL,
    actor      TEXT    NOT NULL CHECK (actor IN ('seller', 'staff')),
    device_id  TEXT    NOT NULL,
    reason     TEXT,
    quantity   INTEGER,
    amount_fen INTEGER,
    method     TEXT,
    at         TEXT    NOT NULL,
    hlc        INTEGER NOT NULL
);
CREATE INDEX order_history_by_order ON order_history (order_id, step);

-- The sale that the buyer's receipt of an order recorded (made by the hub).
ALTER TABLE sales ADD COLUMN order_id TEXT;
CREATE INDEX sales_by_order ON sales (order_id) WHERE order_id IS NOT NULL;
