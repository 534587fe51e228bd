-- Highland device store, schema 12: voided sales. A sale stays as it was
-- recorded; a void is a fact of its own, kept here by the sale's id. There is
-- no reference to `sales`: a void pulled from the hub may arrive before the
-- sale it names (another device's sale, pages cut short), and it waits here
-- until the sale comes. When two devices void one sale, the earliest void
-- (by HLC, then device) is kept, so every replica shows the same reason.
CREATE TABLE sale_voids (
    sale_id   TEXT PRIMARY KEY,
    reason    TEXT    NOT NULL,
    voided_at TEXT    NOT NULL,
    hlc       INTEGER NOT NULL,
    device_id TEXT    NOT NULL,
    op_id     TEXT    NOT NULL
);

-- The sales that count: for stock, totals and the week's chart. One place
-- says what a void takes out, so no sum forgets it.
CREATE VIEW counted_sales AS
SELECT s.id, s.listing_id, s.quantity, s.unit, s.unit_price_fen, s.total_fen, s.payment,
       s.buyer, s.sold_at, s.hlc, s.device_id, s.order_id
FROM sales s
WHERE NOT EXISTS (SELECT 1 FROM sale_voids v WHERE v.sale_id = s.id);
