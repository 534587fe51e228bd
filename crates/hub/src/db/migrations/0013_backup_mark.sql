-- A backup knows it is one. `highland-hub backup` sets this in the copy it
-- writes; a hub that finds it set on the database it serves was put back
-- from that backup (with `highland-hub restore`, or copied back by hand)
-- and begins a new incarnation, so devices learn it went back in time and
-- where its log went back to (docs/sync-protocol.md section 14).
ALTER TABLE hub_identity ADD COLUMN is_backup INTEGER NOT NULL DEFAULT 0;
