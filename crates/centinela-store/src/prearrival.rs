//! Pre-arrival screening (migration 0023): the air posts' airports, the
//! hits raised for a flight's persons before it lands (or leaves), their
//! adjudications, and what was screened already. Recording a screening is
//! one transaction with its audit entry (`prearrival_screened`, counts and
//! ids only); an adjudication likewise (`prearrival_hit_adjudicated`).

use std::collections::HashSet;

use sqlx::Row;

use crate::audit::{append_in_tx, begin_write};
use crate::{Actor, ApiPerson, Store, StoreError, StoredFlight, Verdict, now_rfc3339, on_pool};

/// The most hits one screening records (a 900-seat aircraft, ten each).
pub const MAX_PREARRIVAL_HITS: usize = 10_000;
/// The most flights one listing answers.
pub const MAX_FLIGHTS_LISTED: i64 = 500;

/// The IATA airport code of the air posts of `shared/data/border-posts.csv`
/// (seeded by migration 0023 for posts already stored, and by
/// [`Store::add_post`] for those added later).
pub fn known_airport(post: &str) -> Option<&'static str> {
    Some(match post {
        "MEX-AICM" => "MEX",
        "MEX-CUN" => "CUN",
        "GTM-GUA" => "GUA",
        "SLV-SAL" => "SAL",
        "HND-SAP" => "SAP",
        "HND-XPL" => "XPL",
        "NIC-MGA" => "MGA",
        "CRI-SJO" => "SJO",
        "PAN-PTY" => "PTY",
        "DOM-SDQ" => "SDQ",
        "DOM-PUJ" => "PUJ",
        _ => return None,
    })
}

/// An IATA airport code: three letters A–Z.
pub fn check_iata(code: &str) -> Result<(), StoreError> {
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(StoreError::Invalid("iata: three capital letters (an IATA airport code)".into()))
    }
}

/// An air post and its airport.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AirPost {
    pub code: String,
    pub iata: String,
    pub time_zone: String,
}

/// A hit to record.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NewPrearrivalHit {
    pub post: String,
    /// `arrival` or `departure`.
    pub leg: &'static str,
    pub person: String,
    pub role: String,
    pub surnames: String,
    pub given_names: String,
    pub birth_date: Option<String>,
    pub nationality: Option<String>,
    pub document_number: Option<String>,
    pub booking: Option<String>,
    /// `list_person`, `list_document`, `lookout`, `rule`.
    pub kind: &'static str,
    pub source: String,
    pub entry_id: String,
    pub score: f64,
    pub action: String,
    pub reason: String,
    /// JSON.
    pub detail: String,
}

/// The adjudication in force of a pre-arrival hit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PrearrivalAdjudication {
    pub id: i64,
    /// `confirmed` or `dismissed`.
    pub decision: String,
    pub reason: String,
    pub user_id: i64,
    pub at: String,
}

/// A stored hit with its adjudication in force.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredPrearrivalHit {
    pub id: i64,
    pub flight_id: i64,
    #[serde(flatten)]
    pub hit: NewPrearrivalHit,
    pub raised_at: String,
    pub adjudication: Option<PrearrivalAdjudication>,
}

/// A flight seen from an air post, with its hits.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PostFlight {
    #[serde(flatten)]
    pub flight: StoredFlight,
    /// `arrival` or `departure` at the post's airport.
    pub leg: String,
    pub hits: i64,
    pub open_hits: i64,
}

const HIT_COLUMNS: &str = "h.id, h.flight_id, h.post, h.leg, h.person, h.role, h.surnames, h.given_names, \
    h.birth_date, h.nationality, h.document_number, h.booking, h.kind, h.source, h.entry_id, h.score, h.action, \
    h.reason, h.detail, h.raised_at, a.id AS a_id, a.decision AS a_decision, a.reason AS a_reason, \
    a.user_id AS a_user, a.at AS a_at";

/// The latest adjudication of each hit, joined.
const LATEST: &str = "LEFT JOIN prearrival_adjudications a ON a.id = \
    (SELECT MAX(x.id) FROM prearrival_adjudications x WHERE x.hit_id = h.id)";

fn leg(s: &str) -> &'static str {
    if s == "departure" { "departure" } else { "arrival" }
}

fn kind(s: &str) -> &'static str {
    match s {
        "list_person" => "list_person",
        "list_document" => "list_document",
        "lookout" => "lookout",
        _ => "rule",
    }
}

fn hit_row<R>(r: &R) -> Result<StoredPrearrivalHit, sqlx::Error>
where
    R: Row,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    for<'q> String: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> Option<String>: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> i64: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> Option<i64>: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> f64: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
{
    let adjudication = match r.try_get::<Option<i64>, _>("a_id")? {
        Some(id) => Some(PrearrivalAdjudication {
            id,
            decision: r.try_get::<Option<String>, _>("a_decision")?.unwrap_or_default(),
            reason: r.try_get::<Option<String>, _>("a_reason")?.unwrap_or_default(),
            user_id: r.try_get::<Option<i64>, _>("a_user")?.unwrap_or_default(),
            at: r.try_get::<Option<String>, _>("a_at")?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(StoredPrearrivalHit {
        id: r.try_get("id")?,
        flight_id: r.try_get("flight_id")?,
        hit: NewPrearrivalHit {
            post: r.try_get("post")?,
            leg: leg(&r.try_get::<String, _>("leg")?),
            person: r.try_get("person")?,
            role: r.try_get("role")?,
            surnames: r.try_get("surnames")?,
            given_names: r.try_get("given_names")?,
            birth_date: r.try_get("birth_date")?,
            nationality: r.try_get("nationality")?,
            document_number: r.try_get("document_number")?,
            booking: r.try_get("booking")?,
            kind: kind(&r.try_get::<String, _>("kind")?),
            source: r.try_get("source")?,
            entry_id: r.try_get("entry_id")?,
            score: r.try_get("score")?,
            action: r.try_get("action")?,
            reason: r.try_get("reason")?,
            detail: r.try_get("detail")?,
        },
        raised_at: r.try_get("raised_at")?,
        adjudication,
    })
}

const FLIGHT_COLUMNS: &str = "f.id, f.carrier, f.number, f.origin, f.destination, f.departure_date, f.departs_at, \
    f.arrives_at, (SELECT COUNT(*) FROM bookings b WHERE b.flight_id = f.id) AS bookings";

fn flight_row<R>(r: &R) -> Result<StoredFlight, sqlx::Error>
where
    R: Row,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    for<'q> String: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> Option<String>: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> i64: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
{
    Ok(StoredFlight {
        id: r.try_get("id")?,
        carrier: r.try_get("carrier")?,
        number: r.try_get("number")?,
        origin: r.try_get("origin")?,
        destination: r.try_get("destination")?,
        departure_date: r.try_get("departure_date")?,
        departs_at: r.try_get("departs_at")?,
        arrives_at: r.try_get("arrives_at")?,
        persons: 0,
        bookings: r.try_get("bookings")?,
    })
}

impl Store {
    /// Air posts in force with an airport code, by code.
    pub async fn air_posts(&self) -> Result<Vec<AirPost>, StoreError> {
        let rows: Vec<(String, String, String)> = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT code, iata, time_zone FROM posts WHERE kind = 'air' AND iata <> '' \
                 AND revoked_at IS NULL ORDER BY code",
            )
            .fetch_all(p)
            .await?
        });
        Ok(rows.into_iter().map(|(code, iata, time_zone)| AirPost { code, iata, time_zone }).collect())
    }

    /// Every air post (revoked ones too) with its airport code, empty
    /// when none is set, by code.
    pub async fn post_airports(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(on_pool!(self, p => {
            sqlx::query_as("SELECT code, iata FROM posts WHERE kind = 'air' ORDER BY code").fetch_all(p).await?
        }))
    }

    /// The airport code of post `code` (empty when none is set; `NotFound`
    /// when there is no such post).
    pub async fn post_iata(&self, code: &str) -> Result<String, StoreError> {
        let found: Option<String> = on_pool!(self, p => {
            sqlx::query_scalar("SELECT iata FROM posts WHERE code = $1").bind(code).fetch_optional(p).await?
        });
        found.ok_or_else(|| StoreError::NotFound(format!("post '{code}'")))
    }

    /// Sets the IATA airport code of post `code` (empty: none). Audited
    /// `post_iata_changed`.
    pub async fn set_post_iata(&self, actor: &str, code: &str, iata: &str) -> Result<(), StoreError> {
        if !iata.is_empty() {
            check_iata(iata)?;
        }
        self.set_post_setting(actor, code, "iata", iata, "post_iata_changed").await
    }

    /// One flight and its manifest ([`Store::flight_manifest`]; the
    /// flight's `persons` is the manifest's size).
    pub async fn flight_and_manifest(&self, id: i64) -> Result<Option<(StoredFlight, Vec<ApiPerson>)>, StoreError> {
        let found = on_pool!(self, p => {
            match sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {FLIGHT_COLUMNS} FROM flights f WHERE f.id = $1")))
                .bind(id)
                .fetch_optional(p)
                .await?
            {
                Some(r) => Some(flight_row(&r)?),
                None => None,
            }
        });
        match found {
            Some(mut f) => {
                let manifest = self.flight_manifest(f.id).await?;
                f.persons = manifest.len() as i64;
                Ok(Some((f, manifest)))
            }
            None => Ok(None),
        }
    }

    /// The latest version of each PNR pushed for flight `id`.
    pub async fn flight_bookings(&self, id: i64) -> Result<Vec<crate::StoredBooking>, StoreError> {
        let keys: Vec<(String, String)> = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT DISTINCT carrier, locator FROM bookings WHERE flight_id = $1 ORDER BY carrier, locator",
            )
            .bind(id)
            .fetch_all(p)
            .await?
        });
        let mut out = Vec::with_capacity(keys.len());
        for (carrier, locator) in keys {
            if let Some(latest) = self.booking_versions(&carrier, &locator).await?.pop() {
                out.push(latest);
            }
        }
        Ok(out)
    }

    /// The digests of what was screened for flight `id`.
    pub async fn prearrival_screened(&self, id: i64) -> Result<HashSet<String>, StoreError> {
        let rows: Vec<String> = on_pool!(self, p => {
            sqlx::query_scalar("SELECT digest FROM prearrival_screened WHERE flight_id = $1")
                .bind(id)
                .fetch_all(p)
                .await?
        });
        Ok(rows.into_iter().collect())
    }

    /// Records one screening of flight `flight_id`: the digests screened and
    /// the hits raised (one already held for the same person, post and
    /// cause is not raised again). Answers the ids of the new hits.
    /// Audited `prearrival_screened` as `system`.
    pub async fn record_prearrival(
        &self,
        flight_id: i64,
        digests: &[String],
        hits: &[NewPrearrivalHit],
    ) -> Result<Vec<i64>, StoreError> {
        if hits.len() > MAX_PREARRIVAL_HITS {
            return Err(StoreError::Invalid(format!("more than {MAX_PREARRIVAL_HITS} hits in one screening")));
        }
        let backend = self.backend();
        let now = now_rfc3339();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            for d in digests {
                sqlx::query(
                    "INSERT INTO prearrival_screened (flight_id, digest) VALUES ($1, $2) \
                     ON CONFLICT (flight_id, digest) DO NOTHING",
                )
                .bind(flight_id)
                .bind(d)
                .execute(&mut *tx)
                .await?;
            }
            let mut new = Vec::new();
            for h in hits {
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO prearrival_hits (flight_id, post, leg, person, role, surnames, given_names, \
                     birth_date, nationality, document_number, booking, kind, source, entry_id, score, action, \
                     reason, detail, raised_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
                     $14, $15, $16, $17, $18, $19) \
                     ON CONFLICT (flight_id, post, person, kind, source, entry_id) DO NOTHING RETURNING id",
                )
                .bind(flight_id)
                .bind(&h.post)
                .bind(h.leg)
                .bind(&h.person)
                .bind(&h.role)
                .bind(&h.surnames)
                .bind(&h.given_names)
                .bind(&h.birth_date)
                .bind(&h.nationality)
                .bind(&h.document_number)
                .bind(&h.booking)
                .bind(h.kind)
                .bind(&h.source)
                .bind(&h.entry_id)
                .bind(h.score)
                .bind(&h.action)
                .bind(&h.reason)
                .bind(&h.detail)
                .bind(&now)
                .fetch_optional(&mut *tx)
                .await?;
                new.extend(id);
            }
            let detail = serde_json::json!({
                "screened": digests.len(),
                "hits": new.len(),
                "repeated": hits.len() - new.len(),
            })
            .to_string();
            append_in_tx!(tx, self, "system", "prearrival_screened", format!("flight:{flight_id}"), &detail).await?;
            tx.commit().await?;
            Ok(new)
        })
    }

    /// The hits of flight `flight_id` for `post` (every post's when
    /// `None`), by person then id.
    pub async fn prearrival_hits(
        &self,
        flight_id: i64,
        post: Option<&str>,
    ) -> Result<Vec<StoredPrearrivalHit>, StoreError> {
        on_pool!(self, p => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {HIT_COLUMNS} FROM prearrival_hits h {LATEST} WHERE h.flight_id = $1 \
                 AND ($2 = '' OR h.post = $2) ORDER BY h.surnames, h.given_names, h.id LIMIT {MAX_PREARRIVAL_HITS}"
            )))
            .bind(flight_id)
            .bind(post.unwrap_or(""))
            .fetch_all(p)
            .await?;
            rows.iter().map(|r| hit_row(r).map_err(StoreError::from)).collect()
        })
    }

    /// One hit.
    pub async fn prearrival_hit(&self, id: i64) -> Result<Option<StoredPrearrivalHit>, StoreError> {
        on_pool!(self, p => {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {HIT_COLUMNS} FROM prearrival_hits h {LATEST} WHERE h.id = $1"
            )))
            .bind(id)
            .fetch_optional(p)
            .await?;
            row.map(|r| hit_row(&r).map_err(StoreError::from)).transpose()
        })
    }

    /// Confirms or dismisses a pre-arrival hit with a reason; a later
    /// adjudication corrects an earlier one, which stays. Audited
    /// `prearrival_hit_adjudicated`.
    pub async fn adjudicate_prearrival(
        &self,
        actor: Actor<'_>,
        hit_id: i64,
        decision: Verdict,
        reason: &str,
    ) -> Result<PrearrivalAdjudication, StoreError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid("reason: an adjudication needs a reason".into()));
        }
        let backend = self.backend();
        let now = now_rfc3339();
        let detail = serde_json::json!({ "decision": decision.as_str() }).to_string();
        let who = format!("user:{}", actor.user_id);
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM prearrival_hits WHERE id = $1")
                .bind(hit_id)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Err(StoreError::NotFound(format!("pre-arrival hit {hit_id}")));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO prearrival_adjudications (hit_id, decision, reason, user_id, at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(hit_id)
            .bind(decision.as_str())
            .bind(reason)
            .bind(actor.user_id)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            append_in_tx!(tx, self, &who, "prearrival_hit_adjudicated", format!("prearrival_hit:{hit_id}"), &detail)
                .await?;
            tx.commit().await?;
            Ok(PrearrivalAdjudication {
                id,
                decision: decision.as_str().to_string(),
                reason: reason.to_string(),
                user_id: actor.user_id,
                at: now,
            })
        })
    }

    /// Flights arriving at (or leaving) airport `iata` whose local time —
    /// arrival for arrivals, departure for departures, the departure date
    /// when the carrier sent no time — falls in `[from, to)` (local
    /// `YYYY-MM-DDTHH:MM`), earliest first, with the counts of `post`'s hits.
    pub async fn airport_flights(
        &self,
        iata: &str,
        post: &str,
        from: &str,
        to: &str,
        limit: i64,
    ) -> Result<Vec<PostFlight>, StoreError> {
        let limit = limit.clamp(1, MAX_FLIGHTS_LISTED);
        let mut out = on_pool!(self, p => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT * FROM (SELECT {FLIGHT_COLUMNS}, \
                 CASE WHEN f.destination = $1 THEN 'arrival' ELSE 'departure' END AS leg, \
                 CASE WHEN f.destination = $1 THEN COALESCE(f.arrives_at, f.departure_date) \
                      ELSE COALESCE(f.departs_at, f.departure_date) END AS at_local, \
                 (SELECT COUNT(*) FROM prearrival_hits h WHERE h.flight_id = f.id AND h.post = $2) AS hits, \
                 (SELECT COUNT(*) FROM prearrival_hits h WHERE h.flight_id = f.id AND h.post = $2 AND NOT EXISTS \
                  (SELECT 1 FROM prearrival_adjudications a WHERE a.hit_id = h.id)) AS open_hits \
                 FROM flights f WHERE f.destination = $1 OR f.origin = $1) x \
                 WHERE x.at_local >= $3 AND x.at_local < $4 ORDER BY x.at_local, x.id LIMIT $5"
            )))
            .bind(iata)
            .bind(post)
            .bind(from)
            .bind(to)
            .bind(limit)
            .fetch_all(p)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(PostFlight {
                    flight: flight_row(r)?,
                    leg: r.try_get("leg")?,
                    hits: r.try_get("hits")?,
                    open_hits: r.try_get("open_hits")?,
                });
            }
            out
        });
        for f in &mut out {
            f.flight.persons = self.flight_manifest(f.flight.id).await?.len() as i64;
        }
        Ok(out)
    }
}
