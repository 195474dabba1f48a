-- Air passenger data (issue 23): API passenger and crew lists (PAXLST) and
-- PNRs pushed by carriers (PNRGOV), as read by centinela-edifact. The raw
-- EDIFACT is not kept: only its SHA-256 and what was read from it.
--
-- passenger_messages: one row per message received (an interchange may
--   carry several), with its flight.
-- flights: one row per flight (carrier, number, departure airport, local
--   departure date), whichever message named it first.
-- api_persons: every person of every PAXLST message, append-only: a later
--   list for the same flight adds rows, the manifest is the latest row of
--   each person (see the store's `flight_manifest`).
-- bookings: every version of a PNR (carrier, locator): pushed at 72 h,
--   24 h, check-in and departure, each push a new version.
-- booking_passengers: the passengers of one booking version.
-- Each import is audited in the same transaction (`passengers_imported`).

CREATE TABLE flights (
    id               INTEGER PRIMARY KEY,
    carrier          TEXT    NOT NULL,
    number           TEXT    NOT NULL,
    origin           TEXT    NOT NULL,
    destination      TEXT    NOT NULL,
    -- Local date of departure (YYYY-MM-DD) and scheduled times (local,
    -- YYYY-MM-DDTHH:MM), as the carrier sends them.
    departure_date   TEXT    NOT NULL,
    departs_at       TEXT,
    arrives_at       TEXT,
    first_seen_at    TEXT    NOT NULL,
    UNIQUE (carrier, number, origin, departure_date)
);

CREATE INDEX flights_by_arrival ON flights (arrives_at);

CREATE TABLE passenger_messages (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('PAXLST', 'PNRGOV')),
    flight_id       INTEGER REFERENCES flights (id),
    -- UNH's reference, the interchange's sender and control reference.
    reference       TEXT    NOT NULL,
    sender          TEXT    NOT NULL,
    interchange     TEXT    NOT NULL,
    -- Multipart lists: this part's number (1 when not multipart).
    part            INTEGER NOT NULL,
    -- `file:<name>` or `api`.
    source          TEXT    NOT NULL,
    sha256          TEXT    NOT NULL,
    warnings        INTEGER NOT NULL,
    actor           TEXT    NOT NULL,
    received_at     TEXT    NOT NULL
);

CREATE INDEX passenger_messages_by_flight ON passenger_messages (flight_id);

CREATE TABLE api_persons (
    id               INTEGER PRIMARY KEY,
    message_id       INTEGER NOT NULL REFERENCES passenger_messages (id),
    flight_id        INTEGER NOT NULL REFERENCES flights (id),
    -- passenger, crew, transit_passenger, transit_crew
    role             TEXT    NOT NULL,
    surnames         TEXT    NOT NULL,
    given_names      TEXT    NOT NULL,
    sex              TEXT,
    birth_date       TEXT,
    nationality      TEXT,
    document_type    TEXT,
    document_number  TEXT,
    document_issuer  TEXT,
    document_expiry  TEXT,
    booking          TEXT,
    seat             TEXT,
    embarkation      TEXT,
    debarkation      TEXT,
    residence        TEXT
);

CREATE INDEX api_persons_by_flight ON api_persons (flight_id);
CREATE INDEX api_persons_by_document ON api_persons (document_number);

CREATE TABLE bookings (
    id               INTEGER PRIMARY KEY,
    message_id       INTEGER NOT NULL REFERENCES passenger_messages (id),
    flight_id        INTEGER REFERENCES flights (id),
    carrier          TEXT    NOT NULL,
    locator          TEXT    NOT NULL,
    -- 1, 2 … for each push of the same (carrier, locator).
    version          INTEGER NOT NULL,
    booked_at        TEXT,
    agency           TEXT,
    agency_country   TEXT,
    -- The first form of payment's code (CA cash, CC card …) and account
    -- (as the carrier sent it, usually masked).
    payment_kind     TEXT,
    payment_account  TEXT,
    -- IFT 4:28 contact texts, one a line.
    contact          TEXT    NOT NULL,
    -- Locators split (divided) from this PNR, comma-separated.
    split            TEXT    NOT NULL,
    -- The itinerary: JSON array of legs (from, to, carrier, flight, departure).
    itinerary        TEXT    NOT NULL,
    received_at      TEXT    NOT NULL,
    UNIQUE (carrier, locator, version)
);

CREATE INDEX bookings_by_flight ON bookings (flight_id);

CREATE TABLE booking_passengers (
    id               INTEGER PRIMARY KEY,
    booking_id       INTEGER NOT NULL REFERENCES bookings (id),
    surnames         TEXT    NOT NULL,
    given_names      TEXT    NOT NULL,
    kind             TEXT,
    sex              TEXT,
    birth_date       TEXT,
    nationality      TEXT,
    document_type    TEXT,
    document_number  TEXT,
    tickets          TEXT    NOT NULL,
    seats            TEXT    NOT NULL
);

CREATE INDEX booking_passengers_by_booking ON booking_passengers (booking_id);
CREATE INDEX booking_passengers_by_document ON booking_passengers (document_number);
