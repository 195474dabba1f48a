-- The notices' thumbnails for the booth (issue 21): an image of a listed
-- person, kept with the list entry it belongs to (by list name and entry
-- id) while the list's version in force holds that entry — a version
-- switch deletes the images of the entries it no longer holds, so a
-- withdrawn notice's image goes with it, and images are kept no longer
-- than the list's versions are. JPEG or PNG only, at most 256 KiB.
--
-- `seq` grows at every write (an image replaced is deleted and inserted
-- again), so a post asks for the images after the last it holds. A row
-- with `mime` '' and no bytes says the source took an entry's image away
-- while the entry stays (a post deletes its copy when it pulls it).
CREATE TABLE list_images (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    list_name  TEXT    NOT NULL,
    entry_id   TEXT    NOT NULL,
    mime       TEXT    NOT NULL CHECK (mime IN ('image/jpeg', 'image/png', '')),
    sha256     TEXT    NOT NULL,
    bytes      BLOB    NOT NULL,
    fetched_at TEXT    NOT NULL,
    UNIQUE (list_name, entry_id)
);

-- At a post: the centre's last image `seq` installed here.
ALTER TABLE sync_state ADD COLUMN images_pulled INTEGER NOT NULL DEFAULT 0;
