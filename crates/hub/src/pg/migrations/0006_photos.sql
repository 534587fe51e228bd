-- Photos: the photo_added / photo_removed operations' projection, the
-- files the hub holds, and uploads still under way.

-- One row per photo, insert-only but for `removed` (a removal wins over
-- the addition). Both versions are described so the hub knows every
-- file's length and name before a byte of it arrives.
CREATE TABLE photos (
    id                 TEXT PRIMARY KEY,
    seller_id          TEXT    NOT NULL REFERENCES sellers (id),
    subject_kind       TEXT    NOT NULL CHECK (subject_kind IN ('listing', 'lot')),
    subject_id         TEXT    NOT NULL,
    display_sha256     TEXT    NOT NULL,
    display_bytes      BIGINT  NOT NULL,
    display_width      BIGINT  NOT NULL,
    display_height     BIGINT  NOT NULL,
    thumbnail_sha256   TEXT    NOT NULL,
    thumbnail_bytes    BIGINT  NOT NULL,
    thumbnail_width    BIGINT  NOT NULL,
    thumbnail_height   BIGINT  NOT NULL,
    latitude_microdeg  BIGINT,
    longitude_microdeg BIGINT,
    removed            BIGINT NOT NULL DEFAULT 0,
    created_hlc        BIGINT  NOT NULL
);
CREATE INDEX photos_by_subject ON photos (subject_kind, subject_id);
CREATE INDEX photos_by_display ON photos (display_sha256);
CREATE INDEX photos_by_thumbnail ON photos (thumbnail_sha256);

-- Files in the photo store, each verified against its name (SHA-256)
-- before it was written. Only these are ever served.
CREATE TABLE photo_files (
    sha256       TEXT PRIMARY KEY,
    bytes        BIGINT  NOT NULL,
    stored_at_ms BIGINT  NOT NULL
);

-- Uploads under way. They live in the database, not in a hub's memory or
-- disk, so any hub process on this database resumes any upload.
-- `received` is the offset: the sum of the parts' lengths.
CREATE TABLE photo_uploads (
    sha256        TEXT PRIMARY KEY,
    device_id     TEXT    NOT NULL,
    length        BIGINT  NOT NULL,
    received      BIGINT NOT NULL DEFAULT 0,
    created_at_ms BIGINT  NOT NULL
);
CREATE INDEX photo_uploads_by_device ON photo_uploads (device_id);

CREATE TABLE photo_upload_parts (
    sha256 TEXT    NOT NULL REFERENCES photo_uploads (sha256) ON DELETE CASCADE,
    "offset" BIGINT  NOT NULL,
    bytes  BYTEA   NOT NULL,
    PRIMARY KEY (sha256, "offset")
);
