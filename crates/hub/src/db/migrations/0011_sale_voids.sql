-- A sale voided by its seller (a `sale_voided` operation): the sale stays,
-- marked with why and when, and no longer counts in stock or totals. The
-- hub takes a void only for a sale it holds, so the void lives on the
-- sale's row. Of two voids of one sale, the earlier (HLC, then device) is
-- kept, as on the devices.
ALTER TABLE sales ADD COLUMN void_reason TEXT;
ALTER TABLE sales ADD COLUMN void_at TEXT;
ALTER TABLE sales ADD COLUMN void_hlc INTEGER;
ALTER TABLE sales ADD COLUMN void_device TEXT;
