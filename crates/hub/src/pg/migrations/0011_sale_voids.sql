-- A sale voided by its seller (a `sale_voided` operation): the sale stays,
-- marked with why and when, and no longer counts in stock or totals. The
-- hub takes a void only for a sale it holds, so the void lives on the
-- sale's row. Of two voids of one sale, the earlier (HLC, then device) is
-- kept, as on the devices.
ALTER TABLE sales ADD COLUMN void_reason TEXT COLLATE "C";
ALTER TABLE sales ADD COLUMN void_at TEXT COLLATE "C";
ALTER TABLE sales ADD COLUMN void_hlc BIGINT;
ALTER TABLE sales ADD COLUMN void_device TEXT COLLATE "C";
