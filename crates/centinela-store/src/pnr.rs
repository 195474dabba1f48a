//! PNR depersonalisation, booking links and the booth's API look-up
//! (migration 0024, issue 23 parts 2 and 4).
//!
//! - **Link keys.** At import every booking version gets non-reversible
//!   keys of its payer (form of payment and account), each contact (an
//!   e-mail, or a phone's last nine digits) and its travel agency:
//!   `HMAC-SHA256(derived key, kind || value)` with a key derived from the
//!   audit key ([`centinela_domain::audit::AuditKey::keyed_digest`]), so
//!   nobody holding only the database can test guesses (without an audit
//!   key the digest is an unkeyed SHA-256: configure one). Keys survive
//!   masking: a masked booking still links to others with the same payer.
//! - **Masking** ([`Store::depersonalise_pnr`], run by the purge). A
//!   version received before the masking cut has its identifying values
//!   moved to `booking_vault` (JSON) and blanked in `bookings` and
//!   `booking_passengers` (names, birth date but its year, document number,
//!   tickets, seats; payment account and contact texts). What statistics
//!   and links need stays. Versions received before the deletion cut are
//!   deleted with their keys and vault row.
//! - **Unmasking** ([`Store::booking_vault`]) is read only by the app's
//!   unmask use case, which audits the request with its reason first.
//! - **Booth** ([`Store::arriving_api_person`], [`Store::link_crossing_api_person`]).

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::audit::{append_in_tx, begin_write};
use crate::passengers::{ApiPerson, NewBooking};
use crate::{Store, StoreError, on_pool};

/// At most this many linked bookings are answered for one booking.
pub const MAX_LINKED_BOOKINGS: i64 = 200;

/// The label that keeps link keys apart from other uses of the audit key.
const LINK_LABEL: &[u8] = b"centinela-pnr-link-v1";

/// A booking linked to another: which keys they share.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LinkedBooking {
    pub carrier: String,
    pub locator: String,
    /// `payer`, `contact`, `agency`: the kinds of key shared, sorted.
    pub shared: Vec<String>,
    /// Passengers on its latest version.
    pub passengers: i64,
    /// Whether its latest version is masked.
    pub masked: bool,
}

/// The values masked from one booking version, as kept in the vault.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MaskedValues {
    pub payment_account: Option<String>,
    pub contact: String,
    /// One per passenger, in the version's order.
    pub passengers: Vec<MaskedPassenger>,
}

/// A passenger's masked values.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MaskedPassenger {
    pub surnames: String,
    pub given_names: String,
    pub birth_date: Option<String>,
    pub document_number: Option<String>,
    pub tickets: String,
    pub seats: String,
}

/// An API record found at the booth, with its flight.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ArrivingPerson {
    pub api_person_id: i64,
    pub flight_id: i64,
    /// `CM421`.
    pub flight: String,
    pub origin: String,
    pub arrives_at: Option<String>,
    #[serde(flatten)]
    pub person: ApiPerson,
}

/// A booking passenger for identity resolution (unmasked versions only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingPerson {
    /// `booking_passengers.id`.
    pub id: i64,
    pub carrier: String,
    pub locator: String,
    /// The flight's destination and scheduled arrival (or departure date).
    pub destination: String,
    pub at: String,
    pub surnames: String,
    pub given_names: String,
    pub sex: Option<String>,
    pub birth_date: Option<String>,
    pub nationality: Option<String>,
    pub document_type: Option<String>,
    pub document_number: Option<String>,
    /// The booking's keys: (kind, key).
    pub keys: Vec<(String, String)>,
}

/// The text a contact line is keyed by: an e-mail (IFT writes `@` as
/// `//`), lower-cased; else a phone's last nine digits (country prefixes
/// vary); else nothing.
fn contact_material(line: &str) -> Option<String> {
    let t = line.trim().replace("//", "@");
    if let Some(word) = t.split_whitespace().find(|w| w.contains('@')) {
        return Some(format!("email:{}", word.to_lowercase()));
    }
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 7).then(|| format!("phone:{}", &digits[digits.len().saturating_sub(9)..]))
}

fn upper_alnum(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

impl Store {
    /// The link keys of a booking: `(kind, key)`, without repeats.
    pub fn booking_link_keys(&self, b: &NewBooking) -> Vec<(&'static str, String)> {
        let mut material: Vec<(&'static str, String)> = Vec::new();
        if let Some(acct) = b.payment_account.as_deref().map(upper_alnum).filter(|a| a.len() >= 4) {
            material.push(("payer", format!("payer:{}:{acct}", b.payment_kind.as_deref().unwrap_or(""))));
        }
        for line in b.contact.lines() {
            if let Some(m) = contact_material(line) {
                material.push(("contact", m));
            }
        }
        if let Some(a) = b.agency.as_deref().map(upper_alnum).filter(|a| !a.is_empty()) {
            material.push(("agency", format!("agency:{a}:{}", b.agency_country.as_deref().unwrap_or(""))));
        }
        let mut out: Vec<(&'static str, String)> = material
            .into_iter()
            .map(|(kind, m)| {
                let digest: [u8; 32] = match self.audit_key() {
                    Some(k) => k.keyed_digest(LINK_LABEL, m.as_bytes()),
                    None => {
                        let mut h = Sha256::new();
                        h.update(LINK_LABEL);
                        h.update([0]);
                        h.update(m.as_bytes());
                        h.finalize().into()
                    }
                };
                (kind, digest[..16].iter().map(|b| format!("{b:02x}")).collect())
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Masks the booking versions received at or before `mask_before`
    /// (RFC 3339, whole seconds: a mask period of 0 days masks what arrived
    /// in this very second too) and deletes those received before
    /// `delete_before`; with
    /// `dry_run` only counts. Answers (masked, deleted). Audited
    /// (`pnr_depersonalised`, counts only) when anything changed.
    pub async fn depersonalise_pnr(
        &self,
        actor: &str,
        mask_before: &str,
        delete_before: &str,
        now: &str,
        dry_run: bool,
    ) -> Result<(u64, u64), StoreError> {
        let backend = self.backend();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            // Deletion first: what is deleted need not be masked.
            let gone = "SELECT id FROM bookings WHERE received_at < $1";
            for sql in [
                format!("DELETE FROM booking_keys WHERE booking_id IN ({gone})"),
                format!("DELETE FROM booking_vault WHERE booking_id IN ({gone})"),
                format!("DELETE FROM booking_passengers WHERE booking_id IN ({gone})"),
            ] {
                sqlx::query(sqlx::AssertSqlSafe(sql)).bind(delete_before).execute(&mut *tx).await?;
            }
            let deleted = sqlx::query("DELETE FROM bookings WHERE received_at < $1")
                .bind(delete_before)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let ids: Vec<i64> =
                sqlx::query_scalar("SELECT id FROM bookings WHERE received_at <= $1 AND masked_at IS NULL ORDER BY id")
                    .bind(mask_before)
                    .fetch_all(&mut *tx)
                    .await?;
            for id in &ids {
                let b = sqlx::query("SELECT payment_account, contact FROM bookings WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                let pax = sqlx::query(
                    "SELECT id, surnames, given_names, birth_date, document_number, tickets, seats \
                     FROM booking_passengers WHERE booking_id = $1 ORDER BY id",
                )
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
                let mut values = MaskedValues {
                    payment_account: b.try_get("payment_account")?,
                    contact: b.try_get("contact")?,
                    passengers: Vec::with_capacity(pax.len()),
                };
                for q in &pax {
                    let birth: Option<String> = q.try_get("birth_date")?;
                    values.passengers.push(MaskedPassenger {
                        surnames: q.try_get("surnames")?,
                        given_names: q.try_get("given_names")?,
                        birth_date: birth.clone(),
                        document_number: q.try_get("document_number")?,
                        tickets: q.try_get("tickets")?,
                        seats: q.try_get("seats")?,
                    });
                    let pid: i64 = q.try_get("id")?;
                    // The year stays for statistics (age bands).
                    let year = birth.as_deref().and_then(|b| b.get(..4)).map(str::to_string);
                    sqlx::query(
                        "UPDATE booking_passengers SET surnames = '', given_names = '', birth_date = $1, \
                         document_number = NULL, tickets = '', seats = '' WHERE id = $2",
                    )
                    .bind(year)
                    .bind(pid)
                    .execute(&mut *tx)
                    .await?;
                }
                let data = serde_json::to_string(&values).map_err(|e| StoreError::Internal(e.to_string()))?;
                sqlx::query("INSERT INTO booking_vault (booking_id, masked_at, data) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(now)
                    .bind(data)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE bookings SET payment_account = NULL, contact = '', masked_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            let masked = ids.len() as u64;
            if dry_run {
                tx.rollback().await?;
            } else {
                if masked + deleted > 0 {
                    let detail = serde_json::json!({
                        "masked": masked, "deleted": deleted,
                        "mask_before": mask_before, "delete_before": delete_before,
                    })
                    .to_string();
                    append_in_tx!(tx, self, actor, "pnr_depersonalised", "bookings", &detail).await?;
                }
                tx.commit().await?;
            }
            Ok((masked, deleted))
        })
    }

    /// The masked values of one booking version (`None` when not masked).
    /// Only the unmask use case reads this, after auditing the request.
    pub async fn booking_vault(&self, booking_id: i64) -> Result<Option<MaskedValues>, StoreError> {
        on_pool!(self, p => {
            let data: Option<String> = sqlx::query_scalar("SELECT data FROM booking_vault WHERE booking_id = $1")
                .bind(booking_id)
                .fetch_optional(p)
                .await?;
            data.map(|d| serde_json::from_str(&d).map_err(|e| StoreError::Corrupt(format!("booking_vault {booking_id}: {e}"))))
                .transpose()
        })
    }

    /// Other bookings sharing a payer, contact or agency key with any
    /// version of (carrier, locator), at most [`MAX_LINKED_BOOKINGS`],
    /// most shared kinds first.
    pub async fn linked_bookings(&self, carrier: &str, locator: &str) -> Result<Vec<LinkedBooking>, StoreError> {
        on_pool!(self, p => {
            let rows = sqlx::query(
                "SELECT DISTINCT b.carrier, b.locator, o.kind FROM bookings me \
                 JOIN booking_keys k ON k.booking_id = me.id \
                 JOIN booking_keys o ON o.kind = k.kind AND o.link_key = k.link_key \
                 JOIN bookings b ON b.id = o.booking_id \
                 WHERE me.carrier = $1 AND me.locator = $2 AND NOT (b.carrier = $1 AND b.locator = $2) \
                 ORDER BY b.carrier, b.locator, o.kind LIMIT $3",
            )
            .bind(carrier)
            .bind(locator)
            .bind(MAX_LINKED_BOOKINGS * 3)
            .fetch_all(p)
            .await?;
            let mut out: Vec<LinkedBooking> = Vec::new();
            for r in &rows {
                let (c, l, kind): (String, String, String) =
                    (r.try_get("carrier")?, r.try_get("locator")?, r.try_get("kind")?);
                match out.last_mut() {
                    Some(last) if last.carrier == c && last.locator == l => last.shared.push(kind),
                    _ => out.push(LinkedBooking { carrier: c, locator: l, shared: vec![kind], passengers: 0, masked: false }),
                }
            }
            out.truncate(MAX_LINKED_BOOKINGS as usize);
            for b in &mut out {
                let r = sqlx::query(
                    "SELECT b.masked_at, (SELECT COUNT(*) FROM booking_passengers q WHERE q.booking_id = b.id) AS n \
                     FROM bookings b WHERE b.carrier = $1 AND b.locator = $2 ORDER BY b.version DESC LIMIT 1",
                )
                .bind(&b.carrier)
                .bind(&b.locator)
                .fetch_one(p)
                .await?;
                let masked: Option<String> = r.try_get("masked_at")?;
                b.masked = masked.is_some();
                b.passengers = r.try_get("n")?;
            }
            out.sort_by(|a, b| b.shared.len().cmp(&a.shared.len()).then_with(|| (&a.carrier, &a.locator).cmp(&(&b.carrier, &b.locator))));
            Ok(out)
        })
    }

    /// Bookings whose locator starts with `prefix` (upper case), at most
    /// `limit`, for the analyst's search: (carrier, locator).
    pub async fn search_bookings(&self, prefix: &str, limit: i64) -> Result<Vec<(String, String)>, StoreError> {
        let pattern = format!("{}%", prefix.replace(['%', '_', '\\'], ""));
        on_pool!(self, p => {
            let rows = sqlx::query(
                "SELECT DISTINCT carrier, locator FROM bookings WHERE locator LIKE $1 ORDER BY locator, carrier LIMIT $2",
            )
            .bind(pattern)
            .bind(limit)
            .fetch_all(p)
            .await?;
            rows.iter().map(|r| Ok((r.try_get("carrier")?, r.try_get("locator")?))).collect()
        })
    }

    /// The API record of a document among flights arriving at `airport`
    /// with a scheduled arrival (or, when none was sent, departure date) in
    /// `[from, to)` (local `YYYY-MM-DD…`): the latest row for that document
    /// number (and issuing state when given). Crew included.
    pub async fn arriving_api_person(
        &self,
        airport: &str,
        from: &str,
        to: &str,
        document_number: &str,
        issuer: Option<&str>,
    ) -> Result<Option<ArrivingPerson>, StoreError> {
        on_pool!(self, p => {
            let row = sqlx::query(
                "SELECT a.id AS api_person_id, f.id AS flight_id, f.number AS flight, f.origin, f.arrives_at, \
                 a.role, a.surnames, a.given_names, a.sex, a.birth_date, a.nationality, a.document_type, \
                 a.document_number, a.document_issuer, a.document_expiry, a.booking, a.seat, a.embarkation, \
                 a.debarkation, a.residence \
                 FROM api_persons a JOIN flights f ON f.id = a.flight_id \
                 WHERE a.document_number = $1 AND ($2 = '' OR COALESCE(a.document_issuer, '') IN ('', $2)) \
                 AND f.destination = $3 AND COALESCE(f.arrives_at, f.departure_date) >= $4 \
                 AND COALESCE(f.arrives_at, f.departure_date) < $5 ORDER BY a.id DESC LIMIT 1",
            )
            .bind(document_number)
            .bind(issuer.unwrap_or(""))
            .bind(airport)
            .bind(from)
            .bind(to)
            .fetch_optional(p)
            .await?;
            let Some(r) = row else { return Ok(None) };
            Ok(Some(ArrivingPerson {
                api_person_id: r.try_get("api_person_id")?,
                flight_id: r.try_get("flight_id")?,
                flight: r.try_get("flight")?,
                origin: r.try_get("origin")?,
                arrives_at: r.try_get("arrives_at")?,
                person: crate::passengers::person_row(&r)?,
            }))
        })
    }

    /// Links a recorded crossing to the API record the booth found;
    /// audited (`crossing_api_linked`). A crossing links once.
    pub async fn link_crossing_api_person(
        &self,
        actor: &str,
        crossing_id: &str,
        api_person_id: i64,
    ) -> Result<(), StoreError> {
        let backend = self.backend();
        let now = crate::now_rfc3339();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM api_persons WHERE id = $1")
                .bind(api_person_id)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Err(StoreError::NotFound(format!("API record {api_person_id}")));
            }
            let done = sqlx::query(
                "INSERT INTO crossing_api_persons (crossing_id, api_person_id, linked_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (crossing_id) DO NOTHING",
            )
            .bind(crossing_id)
            .bind(api_person_id)
            .bind(&now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 0 {
                return Err(StoreError::Conflict(format!("crossing {crossing_id} is already linked to an API record")));
            }
            let detail = serde_json::json!({ "api_person": api_person_id }).to_string();
            append_in_tx!(tx, self, actor, "crossing_api_linked", format!("crossing:{crossing_id}"), &detail).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The API record a crossing was linked to, if any.
    pub async fn crossing_api_person(&self, crossing_id: &str) -> Result<Option<i64>, StoreError> {
        on_pool!(self, p => {
            Ok(sqlx::query_scalar("SELECT api_person_id FROM crossing_api_persons WHERE crossing_id = $1")
                .bind(crossing_id)
                .fetch_optional(p)
                .await?)
        })
    }

    /// The passengers of every unmasked booking version, each person once
    /// (the latest version of each booking), with the booking's keys, at
    /// most `limit`, for identity resolution beside crossings.
    pub async fn booking_persons(&self, limit: i64) -> Result<Vec<BookingPerson>, StoreError> {
        on_pool!(self, p => {
            let rows = sqlx::query(
                "SELECT q.id, b.id AS booking_id, b.carrier, b.locator, \
                 COALESCE(f.destination, '') AS destination, \
                 COALESCE(f.arrives_at, f.departure_date, b.received_at) AS at, q.surnames, q.given_names, q.sex, \
                 q.birth_date, q.nationality, q.document_type, q.document_number \
                 FROM bookings b JOIN booking_passengers q ON q.booking_id = b.id \
                 LEFT JOIN flights f ON f.id = b.flight_id \
                 WHERE b.masked_at IS NULL AND b.version = \
                 (SELECT MAX(v.version) FROM bookings v WHERE v.carrier = b.carrier AND v.locator = b.locator) \
                 ORDER BY q.id LIMIT $1",
            )
            .bind(limit)
            .fetch_all(p)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            let mut keys_of: std::collections::HashMap<i64, Vec<(String, String)>> = std::collections::HashMap::new();
            for r in &rows {
                let bid: i64 = r.try_get("booking_id")?;
                if let std::collections::hash_map::Entry::Vacant(slot) = keys_of.entry(bid) {
                    let ks = sqlx::query("SELECT kind, link_key FROM booking_keys WHERE booking_id = $1 ORDER BY kind, link_key")
                        .bind(bid)
                        .fetch_all(p)
                        .await?;
                    let ks = ks
                        .iter()
                        .map(|k| Ok((k.try_get("kind")?, k.try_get("link_key")?)))
                        .collect::<Result<Vec<_>, sqlx::Error>>()?;
                    slot.insert(ks);
                }
                out.push(BookingPerson {
                    id: r.try_get("id")?,
                    carrier: r.try_get("carrier")?,
                    locator: r.try_get("locator")?,
                    destination: r.try_get("destination")?,
                    at: r.try_get("at")?,
                    surnames: r.try_get("surnames")?,
                    given_names: r.try_get("given_names")?,
                    sex: r.try_get("sex")?,
                    birth_date: r.try_get("birth_date")?,
                    nationality: r.try_get("nationality")?,
                    document_type: r.try_get("document_type")?,
                    document_number: r.try_get("document_number")?,
                    keys: keys_of.get(&bid).cloned().unwrap_or_default(),
                });
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::contact_material;

    #[test]
    fn contacts_are_keyed_by_email_or_phone_tail() {
        assert_eq!(contact_material("CTCE ANA.PEREZ//MAIL.COM").as_deref(), Some("email:ana.perez@mail.com"));
        assert_eq!(contact_material("CTCM +507 6000-0111").as_deref(), Some("phone:760000111"));
        assert_eq!(contact_material("CTCM 50760000111"), contact_material("CTCH 00 507 6000 0111"));
        assert_eq!(contact_material("CTCM 123"), None);
    }
}
