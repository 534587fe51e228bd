-- Highland hub on PostgreSQL, schema 3 (the same as SQLite's, in PostgreSQL's types): the buyer's staff, their console sessions, the
-- throttle on logging in, and the indexes the staff catalog reads by.
-- Secrets are kept only as SHA-256 hashes (see secret.rs).

-- A member of the buyer's staff. name is what they log in with; a revoked
-- member keeps their row (orders may name them) but no token or session works.
CREATE TABLE staff (
    id            TEXT COLLATE "C" PRIMARY KEY,
    name          TEXT COLLATE "C"    NOT NULL UNIQUE,
    token_hash    TEXT COLLATE "C"    NOT NULL UNIQUE,
    created_at_ms BIGINT NOT NULL,
    revoked_at_ms BIGINT
);

-- A console session: the hash of the cookie's random value, and when it ends.
CREATE TABLE staff_sessions (
    id_hash       TEXT COLLATE "C" PRIMARY KEY,
    staff_id      TEXT COLLATE "C"    NOT NULL REFERENCES staff (id),
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);
CREATE INDEX staff_sessions_by_expiry ON staff_sessions (expires_at_ms);
CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);

-- Failed logins, per login name ('name:...') and per client address
-- ('addr:...'). In the database, not in a process, so that several hub
-- processes serving one database share one count (see staff.rs).
CREATE TABLE login_throttle (
    key             TEXT COLLATE "C" PRIMARY KEY,
    failures        BIGINT NOT NULL,
    window_start_ms BIGINT NOT NULL,
    locked_until_ms BIGINT NOT NULL
);

-- The staff catalog pages through every seller's listings, newest first,
-- and filters them by the seller's village.
CREATE INDEX listings_by_created ON listings (created_hlc, id);
CREATE INDEX sellers_by_village ON sellers (village, created_at_ms, id);
CREATE INDEX sellers_by_created ON sellers (created_at_ms, id);
