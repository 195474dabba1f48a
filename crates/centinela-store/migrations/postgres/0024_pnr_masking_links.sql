-- PNR depersonalisation, booking links and booth links (issue 23, parts 2
-- and 4).
--
-- bookings.masked_at: when the version's identifying values (payment
--   account, contact texts; its passengers' names, birth dates, document
--   numbers, tickets and seats) were moved to booking_vault and blanked
--   here. Statistics and links keep working on what stays (carrier,
--   itinerary, agency, payment kind, nationality, sex, passenger type) and
--   on booking_keys.
-- booking_keys: non-reversible keys of a version's payer, contacts and
--   agency (HMAC-SHA256 under a key derived from the audit key; see the
--   store's passengers.rs), written at import, kept through masking, so a
--   masked booking still links to others with the same payer or contact.
-- booking_vault: the masked values of one booking version (JSON), read
--   only by the unmask use case (audited with its reason) and deleted with
--   the booking at the end of its retention.
-- crossing_api_persons: the API record the booth found for a crossing.

ALTER TABLE bookings ADD COLUMN masked_at TEXT;

CREATE INDEX bookings_by_received ON bookings (received_at);

CREATE TABLE booking_keys (
    booking_id  BIGINT NOT NULL REFERENCES bookings (id),
    kind        TEXT    NOT NULL CHECK (kind IN ('payer', 'contact', 'agency')),
    link_key    TEXT    NOT NULL,
    PRIMARY KEY (booking_id, kind, link_key)
);

CREATE INDEX booking_keys_by_key ON booking_keys (kind, link_key);

CREATE TABLE booking_vault (
    booking_id  BIGINT PRIMARY KEY REFERENCES bookings (id),
    masked_at   TEXT    NOT NULL,
    data        TEXT    NOT NULL
);

CREATE TABLE crossing_api_persons (
    crossing_id    TEXT    PRIMARY KEY,
    api_person_id  BIGINT NOT NULL REFERENCES api_persons (id),
    linked_at      TEXT    NOT NULL
);

CREATE INDEX crossing_api_persons_by_person ON crossing_api_persons (api_person_id);
