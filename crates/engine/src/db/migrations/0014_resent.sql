-- Highland device store, schema 13: what goes back to a hub that went back
-- in time (docs/sync-protocol.md section 14).
--
-- `acked_at`: where the hub's log ended when it acknowledged the operation
-- (the operation lies at or before it), or NULL when the hub did not say.
-- A hub that went back to position F still holds every operation
-- acknowledged at or before F; the others go again. (A count of the ones
-- it holds cannot say which: other devices may have given back newer ones.)
ALTER TABLE outbox ADD COLUMN acked_at INTEGER;

-- This device's operations the hub lost are marked pending again, and
-- `resent`: the hub acknowledged them once and other devices may have pulled
-- them, so the request names them and the hub keeps their timestamps.
ALTER TABLE outbox ADD COLUMN resent INTEGER NOT NULL DEFAULT 0 CHECK (resent IN (0, 1));

-- A pulled operation given back that the hub cannot read yet (a kind from a
-- newer Highland, logged by a newer hub before it was rolled back) waits, as
-- this device's own such operations do, for another version of the hub:
-- the version that refused it.
ALTER TABLE pulled_ops ADD COLUMN deferred_by TEXT;

-- A pulled operation's timestamp, so what goes back to the hub goes in time
-- order, the order in which its effects depend on each other: the order it
-- was pulled in is not that, once the same operation is pulled again from
-- a new place in a log that went back.
ALTER TABLE pulled_ops ADD COLUMN hlc INTEGER;
