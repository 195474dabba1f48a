//! Air passenger data (migration 0021): flights, the persons of API lists
//! (PAXLST) and the versions of PNRs (PNRGOV), as the app reads them from
//! EDIFACT. An import — every message of one file or request — is one
//! transaction with its audit entry (`passengers_imported`, subject
//! `passenger_messages:FIRST-LAST`, detail the counts, the source and the
//! SHA-256 of the bytes; never a name or number). The store takes plain
//! values: reading EDIFACT is `centinela-edifact`'s work.

use sqlx::Row;

use crate::audit::{append_in_tx, begin_write};
use crate::{Store, StoreError, now_rfc3339, on_pool};

/// At most this many messages in one import.
pub const MAX_PASSENGER_MESSAGES: usize = 10_000;

/// A flight as a message names it; the key is (carrier, number, origin,
/// departure date).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewFlight {
    pub carrier: String,
    pub number: String,
    pub origin: String,
    pub destination: String,
    /// `YYYY-MM-DD`, local.
    pub departure_date: String,
    /// `YYYY-MM-DDTHH:MM`, local.
    pub departs_at: Option<String>,
    pub arrives_at: Option<String>,
}

/// One person of an API list.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ApiPerson {
    /// `passenger`, `crew`, `transit_passenger`, `transit_crew`.
    pub role: String,
    pub surnames: String,
    pub given_names: String,
    pub sex: Option<String>,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    pub nationality: Option<String>,
    pub document_type: Option<String>,
    pub document_number: Option<String>,
    pub document_issuer: Option<String>,
    pub document_expiry: Option<String>,
    pub booking: Option<String>,
    pub seat: Option<String>,
    pub embarkation: Option<String>,
    pub debarkation: Option<String>,
    pub residence: Option<String>,
}

/// One passenger of a PNR version.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct BookingPassenger {
    pub surnames: String,
    pub given_names: String,
    /// ADT, CHD, INF …
    pub kind: Option<String>,
    pub sex: Option<String>,
    pub birth_date: Option<String>,
    pub nationality: Option<String>,
    pub document_type: Option<String>,
    pub document_number: Option<String>,
    /// Ticket numbers, comma-separated.
    pub tickets: String,
    /// Seats, comma-separated.
    pub seats: String,
}

/// One PNR as pushed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct NewBooking {
    pub carrier: String,
    pub locator: String,
    /// RFC 3339 or `YYYY-MM-DDTHH:MM` as the carrier gave it.
    pub booked_at: Option<String>,
    pub agency: Option<String>,
    pub agency_country: Option<String>,
    pub payment_kind: Option<String>,
    pub payment_account: Option<String>,
    /// Contact texts, one a line.
    pub contact: String,
    /// Split-off locators, comma-separated.
    pub split: String,
    /// JSON array of legs.
    pub itinerary: String,
    pub passengers: Vec<BookingPassenger>,
}

/// One message read from EDIFACT.
#[derive(Debug, Clone, Default)]
pub struct NewPassengerMessage {
    /// `PAXLST` or `PNRGOV`.
    pub kind: &'static str,
    pub flight: Option<NewFlight>,
    pub reference: String,
    pub sender: String,
    pub interchange: String,
    pub part: i64,
    pub warnings: i64,
    pub persons: Vec<ApiPerson>,
    pub bookings: Vec<NewBooking>,
}

/// What an import stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PassengerImport {
    /// The ids of the stored messages, in order.
    pub messages: Vec<i64>,
    /// The flights the messages named (ids, without repeats, in order).
    pub flights: Vec<i64>,
    pub persons: usize,
    pub bookings: usize,
}

/// A flight with what is held for it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredFlight {
    pub id: i64,
    pub carrier: String,
    pub number: String,
    pub origin: String,
    pub destination: String,
    pub departure_date: String,
    pub departs_at: Option<String>,
    pub arrives_at: Option<String>,
    /// Persons on its latest manifest; booking versions pushed for it.
    pub persons: i64,
    pub bookings: i64,
}

/// A booking version as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredBooking {
    pub id: i64,
    pub version: i64,
    pub flight_id: Option<i64>,
    pub received_at: String,
    /// When its identifying values were masked (migration 0024), if so.
    pub masked_at: Option<String>,
    #[serde(flatten)]
    pub booking: NewBooking,
}

const PERSON_COLUMNS: &str = "role, surnames, given_names, sex, birth_date, nationality, document_type, \
    document_number, document_issuer, document_expiry, booking, seat, embarkation, debarkation, residence";

pub(crate) fn person_row<R>(r: &R) -> Result<ApiPerson, sqlx::Error>
where
    R: Row,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    for<'q> String: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> Option<String>: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
{
    Ok(ApiPerson {
        role: r.try_get("role")?,
        surnames: r.try_get("surnames")?,
        given_names: r.try_get("given_names")?,
        sex: r.try_get("sex")?,
        birth_date: r.try_get("birth_date")?,
        nationality: r.try_get("nationality")?,
        document_type: r.try_get("document_type")?,
        document_number: r.try_get("document_number")?,
        document_issuer: r.try_get("document_issuer")?,
        document_expiry: r.try_get("document_expiry")?,
        booking: r.try_get("booking")?,
        seat: r.try_get("seat")?,
        embarkation: r.try_get("embarkation")?,
        debarkation: r.try_get("debarkation")?,
        residence: r.try_get("residence")?,
    })
}

impl Store {
    /// Stores the messages of one import, all or nothing, audited.
    /// `source` is `file:<name>` or `api`; `sha256` the bytes' digest.
    pub async fn import_passenger_messages(
        &self,
        actor: &str,
        source: &str,
        sha256: &str,
        messages: &[NewPassengerMessage],
    ) -> Result<PassengerImport, StoreError> {
        if messages.is_empty() {
            return Err(StoreError::Invalid("no message to import".into()));
        }
        if messages.len() > MAX_PASSENGER_MESSAGES {
            return Err(StoreError::Invalid(format!("more than {MAX_PASSENGER_MESSAGES} messages in one import")));
        }
        if let Some(m) = messages.iter().find(|m| !matches!(m.kind, "PAXLST" | "PNRGOV")) {
            return Err(StoreError::Invalid(format!("message kind '{}'", m.kind)));
        }
        if messages.iter().any(|m| m.kind == "PAXLST" && m.flight.is_none()) {
            return Err(StoreError::Invalid("an API list without its flight".into()));
        }
        let backend = self.backend();
        let now = now_rfc3339();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let mut done = PassengerImport { messages: Vec::new(), flights: Vec::new(), persons: 0, bookings: 0 };
            for m in messages {
                let flight_id: Option<i64> = match &m.flight {
                    None => None,
                    Some(f) => Some(
                        sqlx::query_scalar(
                            "INSERT INTO flights (carrier, number, origin, destination, departure_date, departs_at, \
                             arrives_at, first_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                             ON CONFLICT (carrier, number, origin, departure_date) DO UPDATE SET \
                             departs_at = COALESCE(excluded.departs_at, flights.departs_at), \
                             arrives_at = COALESCE(excluded.arrives_at, flights.arrives_at) RETURNING id",
                        )
                        .bind(&f.carrier)
                        .bind(&f.number)
                        .bind(&f.origin)
                        .bind(&f.destination)
                        .bind(&f.departure_date)
                        .bind(&f.departs_at)
                        .bind(&f.arrives_at)
                        .bind(&now)
                        .fetch_one(&mut *tx)
                        .await?,
                    ),
                };
                if let Some(f) = flight_id
                    && !done.flights.contains(&f)
                {
                    done.flights.push(f);
                }
                let message_id: i64 = sqlx::query_scalar(
                    "INSERT INTO passenger_messages (kind, flight_id, reference, sender, interchange, part, source, \
                     sha256, warnings, actor, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                     RETURNING id",
                )
                .bind(m.kind)
                .bind(flight_id)
                .bind(&m.reference)
                .bind(&m.sender)
                .bind(&m.interchange)
                .bind(m.part)
                .bind(source)
                .bind(sha256)
                .bind(m.warnings)
                .bind(actor)
                .bind(&now)
                .fetch_one(&mut *tx)
                .await?;
                done.messages.push(message_id);
                for a in &m.persons {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "INSERT INTO api_persons (message_id, flight_id, {PERSON_COLUMNS}) VALUES \
                         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
                    )))
                    .bind(message_id)
                    .bind(flight_id)
                    .bind(&a.role)
                    .bind(&a.surnames)
                    .bind(&a.given_names)
                    .bind(&a.sex)
                    .bind(&a.birth_date)
                    .bind(&a.nationality)
                    .bind(&a.document_type)
                    .bind(&a.document_number)
                    .bind(&a.document_issuer)
                    .bind(&a.document_expiry)
                    .bind(&a.booking)
                    .bind(&a.seat)
                    .bind(&a.embarkation)
                    .bind(&a.debarkation)
                    .bind(&a.residence)
                    .execute(&mut *tx)
                    .await?;
                }
                done.persons += m.persons.len();
                for b in &m.bookings {
                    let version: i64 = sqlx::query_scalar(
                        "SELECT COALESCE(MAX(version), 0) + 1 FROM bookings WHERE carrier = $1 AND locator = $2",
                    )
                    .bind(&b.carrier)
                    .bind(&b.locator)
                    .fetch_one(&mut *tx)
                    .await?;
                    let booking_id: i64 = sqlx::query_scalar(
                        "INSERT INTO bookings (message_id, flight_id, carrier, locator, version, booked_at, agency, \
                         agency_country, payment_kind, payment_account, contact, split, itinerary, received_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
                    )
                    .bind(message_id)
                    .bind(flight_id)
                    .bind(&b.carrier)
                    .bind(&b.locator)
                    .bind(version)
                    .bind(&b.booked_at)
                    .bind(&b.agency)
                    .bind(&b.agency_country)
                    .bind(&b.payment_kind)
                    .bind(&b.payment_account)
                    .bind(&b.contact)
                    .bind(&b.split)
                    .bind(&b.itinerary)
                    .bind(&now)
                    .fetch_one(&mut *tx)
                    .await?;
                    for (kind, key) in self.booking_link_keys(b) {
                        sqlx::query("INSERT INTO booking_keys (booking_id, kind, link_key) VALUES ($1, $2, $3)")
                            .bind(booking_id)
                            .bind(kind)
                            .bind(key)
                            .execute(&mut *tx)
                            .await?;
                    }
                    for p in &b.passengers {
                        sqlx::query(
                            "INSERT INTO booking_passengers (booking_id, surnames, given_names, kind, sex, birth_date, \
                             nationality, document_type, document_number, tickets, seats) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                        )
                        .bind(booking_id)
                        .bind(&p.surnames)
                        .bind(&p.given_names)
                        .bind(&p.kind)
                        .bind(&p.sex)
                        .bind(&p.birth_date)
                        .bind(&p.nationality)
                        .bind(&p.document_type)
                        .bind(&p.document_number)
                        .bind(&p.tickets)
                        .bind(&p.seats)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                done.bookings += m.bookings.len();
            }
            let detail = serde_json::json!({
                "source": source,
                "sha256": sha256,
                "messages": done.messages.len(),
                "flights": done.flights.len(),
                "persons": done.persons,
                "bookings": done.bookings,
            })
            .to_string();
            let subject = format!(
                "passenger_messages:{}-{}",
                done.messages.first().copied().unwrap_or(0),
                done.messages.last().copied().unwrap_or(0)
            );
            append_in_tx!(tx, self, actor, "passengers_imported", subject, &detail).await?;
            tx.commit().await?;
            Ok(done)
        })
    }

    /// Flights whose scheduled arrival (local, `YYYY-MM-DDTHH:MM`) or, when
    /// none was sent, departure date falls in `[from, to)`, earliest first,
    /// with their counts. At most `limit`.
    pub async fn flights_between(&self, from: &str, to: &str, limit: i64) -> Result<Vec<StoredFlight>, StoreError> {
        on_pool!(self, p => {
            let rows = sqlx::query(
                "SELECT f.id, f.carrier, f.number, f.origin, f.destination, f.departure_date, f.departs_at, \
                 f.arrives_at, \
                 (SELECT COUNT(*) FROM bookings b WHERE b.flight_id = f.id) AS bookings \
                 FROM flights f WHERE COALESCE(f.arrives_at, f.departure_date) >= $1 \
                 AND COALESCE(f.arrives_at, f.departure_date) < $2 \
                 ORDER BY COALESCE(f.arrives_at, f.departure_date), f.id LIMIT $3",
            )
            .bind(from)
            .bind(to)
            .bind(limit)
            .fetch_all(p)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let id: i64 = r.try_get("id")?;
                out.push(StoredFlight {
                    id,
                    carrier: r.try_get("carrier")?,
                    number: r.try_get("number")?,
                    origin: r.try_get("origin")?,
                    destination: r.try_get("destination")?,
                    departure_date: r.try_get("departure_date")?,
                    departs_at: r.try_get("departs_at")?,
                    arrives_at: r.try_get("arrives_at")?,
                    persons: 0,
                    bookings: r.try_get("bookings")?,
                });
            }
            for f in &mut out {
                f.persons = self.flight_manifest(f.id).await?.len() as i64;
            }
            Ok(out)
        })
    }

    /// A flight's manifest: every person its API lists named, each once —
    /// the latest row for the same role, names, birth date and document
    /// (a later list for the flight replaces an earlier one's rows for the
    /// same person; multipart lists add up). In list order.
    pub async fn flight_manifest(&self, flight_id: i64) -> Result<Vec<ApiPerson>, StoreError> {
        on_pool!(self, p => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {PERSON_COLUMNS} FROM api_persons WHERE id IN (\
                 SELECT MAX(id) FROM api_persons WHERE flight_id = $1 \
                 GROUP BY role, surnames, given_names, COALESCE(birth_date, ''), COALESCE(document_number, '')) \
                 ORDER BY id"
            )))
            .bind(flight_id)
            .fetch_all(p)
            .await?;
            rows.iter().map(|r| person_row(r).map_err(StoreError::from)).collect()
        })
    }

    /// Every version of a booking, oldest first.
    pub async fn booking_versions(&self, carrier: &str, locator: &str) -> Result<Vec<StoredBooking>, StoreError> {
        on_pool!(self, p => {
            let rows = sqlx::query(
                "SELECT id, version, flight_id, received_at, masked_at, carrier, locator, booked_at, agency, agency_country, \
                 payment_kind, payment_account, contact, split, itinerary FROM bookings \
                 WHERE carrier = $1 AND locator = $2 ORDER BY version",
            )
            .bind(carrier)
            .bind(locator)
            .fetch_all(p)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let id: i64 = r.try_get("id")?;
                let pax = sqlx::query(
                    "SELECT surnames, given_names, kind, sex, birth_date, nationality, document_type, \
                     document_number, tickets, seats FROM booking_passengers WHERE booking_id = $1 ORDER BY id",
                )
                .bind(id)
                .fetch_all(p)
                .await?;
                let passengers = pax
                    .iter()
                    .map(|q| {
                        Ok(BookingPassenger {
                            surnames: q.try_get("surnames")?,
                            given_names: q.try_get("given_names")?,
                            kind: q.try_get("kind")?,
                            sex: q.try_get("sex")?,
                            birth_date: q.try_get("birth_date")?,
                            nationality: q.try_get("nationality")?,
                            document_type: q.try_get("document_type")?,
                            document_number: q.try_get("document_number")?,
                            tickets: q.try_get("tickets")?,
                            seats: q.try_get("seats")?,
                        })
                    })
                    .collect::<Result<Vec<_>, sqlx::Error>>()?;
                out.push(StoredBooking {
                    id,
                    version: r.try_get("version")?,
                    flight_id: r.try_get("flight_id")?,
                    received_at: r.try_get("received_at")?,
                    masked_at: r.try_get("masked_at")?,
                    booking: NewBooking {
                        carrier: r.try_get("carrier")?,
                        locator: r.try_get("locator")?,
                        booked_at: r.try_get("booked_at")?,
                        agency: r.try_get("agency")?,
                        agency_country: r.try_get("agency_country")?,
                        payment_kind: r.try_get("payment_kind")?,
                        payment_account: r.try_get("payment_account")?,
                        contact: r.try_get("contact")?,
                        split: r.try_get("split")?,
                        itinerary: r.try_get("itinerary")?,
                        passengers,
                    },
                });
            }
            Ok(out)
        })
    }
}
