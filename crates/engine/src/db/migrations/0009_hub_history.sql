-- Highland device store, schema 9: which run of the hub (its incarnation,
-- docs/sync-protocol.md section 14) answered the last committed sync, so
-- that a hub restored from a backup is noticed; and what the device did the
-- last time it noticed one, for the seller: when, and how many of its
-- operations (how many sales) it sent again.

ALTER TABLE sync_state ADD COLUMN hub_incarnation TEXT;
ALTER TABLE sync_state ADD COLUMN hub_went_back_at TEXT;
ALTER TABLE sync_state ADD COLUMN hub_went_back_resent INTEGER;
ALTER TABLE sync_state ADD COLUMN hub_went_back_resent_sales INTEGER;
