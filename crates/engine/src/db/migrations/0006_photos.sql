-- Highland device store, schema 6: photos of listings and lots, and the
-- state of their files.
--
-- A photo is data (which listing or lot, which files) that syncs as
-- operations; its files are named by their SHA-256 and travel apart, after
-- the operations. Photos are insert-only; removing one records a removal,
-- which wins whatever order the two arrive in.

CREATE TABLE photos (
    id                     TEXT PRIMARY KEY,
    subject_kind           TEXT    NOT NULL CHECK (subject_kind IN ('listing', 'lot')),
    -- A soft reference, like listings.lot_id: a photo from the seller's
    -- other device may arrive before its listing.
    subject_id             TEXT    NOT NULL,
    display_sha256         TEXT    NOT NULL,
    thumbnail_sha256       TEXT    NOT NULL,
    latitude_microdegrees  INTEGER,
    longitude_microdegrees INTEGER,
    -- The operation that added it: its files upload once the hub has it.
    op_id                  TEXT    NOT NULL,
    hlc                    INTEGER NOT NULL,
    device_id              TEXT    NOT NULL
);
CREATE INDEX photos_by_subject ON photos (subject_kind, subject_id, hlc);

CREATE TABLE photo_removals (
    photo_id TEXT PRIMARY KEY
) WITHOUT ROWID;

-- One row per file any photo names. A file is `here` once it is in photos/
-- whole (taken on this device, or downloaded and checked against its name),
-- and `on_hub` once the hub said it holds all of it, verified.
CREATE TABLE photo_files (
    sha256     TEXT    PRIMARY KEY,
    bytes      INTEGER NOT NULL CHECK (bytes > 0),
    width      INTEGER NOT NULL CHECK (width > 0),
    height     INTEGER NOT NULL CHECK (height > 0),
    media_type TEXT    NOT NULL,
    role       TEXT    NOT NULL CHECK (role IN ('thumbnail', 'display')),
    here       INTEGER NOT NULL DEFAULT 0 CHECK (here IN (0, 1)),
    on_hub     INTEGER NOT NULL DEFAULT 0 CHECK (on_hub IN (0, 1))
) WITHOUT ROWID;
CREATE INDEX photo_files_to_upload ON photo_files (on_hub, here, role, bytes);
