-- A backup knows it is one (see the SQLite back end's 0012_backup_mark.sql).
-- PostgreSQL's own backups (pg_dump) do not set it: after pg_restore, run
-- `highland-hub restore`, which begins the new incarnation.
ALTER TABLE hub_identity ADD COLUMN is_backup BIGINT NOT NULL DEFAULT 0;
