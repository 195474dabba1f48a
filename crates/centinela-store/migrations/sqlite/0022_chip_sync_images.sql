-- The ePassport chip, continued (issue 22).
--
-- 1. Trust anchors reach the posts on synchronisation, like alert lists:
--    a post keeps the centre's last trust-anchor version it installed, and
--    each version pulled becomes a local version (audited `pki_synced`).
ALTER TABLE sync_state ADD COLUMN pki_pulled INTEGER NOT NULL DEFAULT 0;

-- 2. Faces seen with a crossing: the chip's DG2 photo and the booth
--    camera's live capture. Kept with the crossing (removed with it by the
--    retention purge), read by the roles that may read the crossing, every
--    read audited. `sha256` (hex, of the image bytes) lets the intelligence
--    module link a document to the distinct faces seen with it.
CREATE TABLE crossing_images (
    id          INTEGER PRIMARY KEY,
    crossing_id TEXT    NOT NULL REFERENCES crossings (crossing_id),
    kind        TEXT    NOT NULL CHECK (kind IN ('chip', 'capture')),
    -- image/jpeg or image/jp2.
    mime        TEXT    NOT NULL,
    sha256      TEXT    NOT NULL,
    bytes       BLOB    NOT NULL,
    actor       TEXT    NOT NULL,
    at          TEXT    NOT NULL,
    UNIQUE (crossing_id, kind)
);
CREATE INDEX crossing_images_sha ON crossing_images (sha256);
