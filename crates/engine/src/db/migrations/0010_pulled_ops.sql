-- Highland device store, schema 10: what this device pulled, kept as it
-- came, and what it needs to give back to a hub that went back in time
-- (docs/sync-protocol.md section 14) or to take back from one when this
-- file went back itself; and changes from a newer Highland that wait here
-- for an update (section 15).

-- Every operation pulled from the hub, exactly as received. A hub restored
-- from a backup may have lost it; this device then gives it back, sealed
-- or signed as it came. One this build cannot read waits here (applied =
-- 0) and is applied, in log order, once an update can.
CREATE TABLE pulled_ops (
    op_id     TEXT    PRIMARY KEY,
    -- A log position at or after the one it was pulled from: the cursor its
    -- page moved to.
    seq       INTEGER NOT NULL,
    body      TEXT    NOT NULL,
    applied   INTEGER NOT NULL CHECK (applied IN (0, 1)),
    give_back INTEGER NOT NULL DEFAULT 0 CHECK (give_back IN (0, 1))
);
CREATE INDEX pulled_ops_by_seq ON pulled_ops (seq);
CREATE INDEX pulled_ops_waiting ON pulled_ops (seq) WHERE applied = 0;
CREATE INDEX pulled_ops_to_give_back ON pulled_ops (seq) WHERE give_back = 1;

-- A pending operation the hub could not read (a kind newer than the hub):
-- the hub's version that deferred it. It is sent again once the hub says
-- another version; the rest of the queue goes on meanwhile.
ALTER TABLE outbox ADD COLUMN deferred_by TEXT;

-- The last operation pulled, and a log position at or after it, so the
-- hub can say whether its log still holds it (a copy put back by hand).
ALTER TABLE sync_state ADD COLUMN last_pulled_op TEXT;
ALTER TABLE sync_state ADD COLUMN last_pulled_seq INTEGER;
-- 1 while this device takes its own operations back from the hub.
ALTER TABLE sync_state ADD COLUMN own_too INTEGER NOT NULL DEFAULT 0;
-- The hub's version at the last committed sync.
ALTER TABLE sync_state ADD COLUMN hub_version TEXT;
-- The last time the hub went back: other devices' operations given back.
ALTER TABLE sync_state ADD COLUMN hub_went_back_returned INTEGER;
-- The last time this device's own file went back: when it noticed, and
-- how many of its operations (how many sales) it took back from the hub.
ALTER TABLE sync_state ADD COLUMN own_recovered_at TEXT;
ALTER TABLE sync_state ADD COLUMN own_recovered INTEGER;
ALTER TABLE sync_state ADD COLUMN own_recovered_sales INTEGER;
