//! Border posts, crossings, inspections and what follows them: hits,
//! adjudications, officers' decisions and referrals.
//!
//! Crossings come from two places: `centinela import crossings` (all or
//! nothing, idempotent on `crossing_id`) and the inspection pipeline, which
//! hands its results to an [`InspectionWriter`]: one task that writes many
//! inspections per transaction (group commit), so each is durable before it
//! is acknowledged without paying one disk sync per inspection. Every table
//! here is append-only (triggers refuse UPDATE and DELETE); corrections are
//! new rows.

use std::collections::HashMap;

use centinela_domain::{
    BirthDate, CountryCode, CrossingRecord, Direction, DocumentNumber, Role, Sex, Timestamp, ValueError,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{AssertSqlSafe, Row};

use crate::audit::{append_in_tx, begin_write};
use crate::conn::{OwnConn, on_own};
use crate::{Backend, Store, StoreError, now_rfc3339, on_pool};

/// How travellers cross at a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PostKind {
    Land,
    Air,
    Sea,
}

impl PostKind {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "land" => Ok(PostKind::Land),
            "air" => Ok(PostKind::Air),
            "sea" => Ok(PostKind::Sea),
            _ => Err(ValueError::Choice { expected: "land, air, sea" }),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            PostKind::Land => "land",
            PostKind::Air => "air",
            PostKind::Sea => "sea",
        }
    }
}

/// A border post to create.
#[derive(Debug, Clone)]
pub struct NewPost<'a> {
    /// `GTM-TECUNUMAN`: letters, digits and `-`.
    pub code: &'a str,
    pub name: &'a str,
    pub country: CountryCode,
    /// The code of the post across the border, or empty.
    pub facing: &'a str,
    pub kind: PostKind,
}

/// A border post as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Post {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub country: String,
    pub facing: String,
    pub kind: String,
    pub created_at: String,
    /// Its IANA time zone (`America/Guatemala`); empty: none set.
    pub time_zone: String,
}

/// A crossing as stored: the record plus how it came in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredCrossing {
    #[serde(flatten)]
    pub record: CrossingRecord,
    /// Relation to the travel party's first traveller, or empty.
    pub relation: String,
    /// `import`, `inspection` or `sync`.
    pub source: String,
    pub officer_id: Option<i64>,
    pub corrects: Option<String>,
    pub recorded_at: String,
}

/// What [`Store::import_crossings`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CrossingsImport {
    pub read: u64,
    pub inserted: u64,
    /// Rows whose `crossing_id` was already stored (or repeated in the file).
    pub already_present: u64,
}

pub use centinela_domain::{HitKind, ListKind};

/// A hit to store with its inspection.
#[derive(Debug, Clone, PartialEq)]
pub struct NewHit {
    pub kind: HitKind,
    pub list_name: String,
    pub list_kind: ListKind,
    /// The list entry's id or the reported document's number.
    pub entry_id: String,
    pub score: f64,
    pub action: String,
    /// The explanation shown to the officer, JSON.
    pub explanation: String,
    /// The version of the list screened against (`None` if unknown).
    pub list_version: Option<i64>,
}

/// One traveller's inspection, to store: the crossing, what was shown, the
/// hits. `actor` is the officer's username for the audit chain.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInspection {
    pub record: CrossingRecord,
    pub relation: String,
    pub officer_id: i64,
    pub actor: String,
    pub suggested: String,
    /// Everything shown to the officer, JSON.
    pub result: String,
    pub hits: Vec<NewHit>,
    /// Codes of the risk flags raised (for the audit entry; no personal data).
    pub flags: Vec<String>,
    /// The ids of the traveller's earlier crossings shown with the result
    /// (its travel history), for the audit entry.
    pub history_shown: Vec<String>,
}

/// A stored inspection: its crossing and the ids given to its hits, in the
/// order they were handed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedInspection {
    pub crossing_id: String,
    pub hit_ids: Vec<i64>,
}

/// One earlier crossing of a traveller, as the booth's travel history
/// shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecentCrossing {
    pub crossing_id: String,
    pub post: String,
    pub direction: Direction,
    pub crossed_at: String,
}

/// Who a traveller is, for [`Store::recent_crossings`]: the document
/// (number, issuing state) and the names with a full birth date, each used
/// when given.
#[derive(Debug, Clone, Copy, Default)]
pub struct TravellerKey<'a> {
    pub document: Option<(&'a str, &'a str)>,
    pub given_names: &'a str,
    pub surnames: &'a str,
    /// `YYYY-MM-DD`, or empty: names alone do not identify.
    pub birth_date: &'a str,
}

/// The most crossings [`Store::recent_crossings`] returns.
pub const MAX_RECENT: u32 = 50;

/// A [`StoredHit`] from a row of either backend holding the hits table's
/// columns and the crossing's `post` and `crossed_at` (adjudications are
/// read apart).
macro_rules! stored_hit {
    ($row:expr) => {{
        let row = $row;
        let explanation: String = row.try_get("explanation")?;
        StoredHit {
            id: row.try_get("id")?,
            crossing_id: row.try_get("crossing_id")?,
            kind: {
                let kind: String = row.try_get("kind")?;
                HitKind::parse(&kind).ok_or_else(|| StoreError::Corrupt("hits.kind".into()))?
            },
            list_name: row.try_get("list_name")?,
            list_kind: {
                let kind: String = row.try_get("list_kind")?;
                ListKind::parse(&kind).map_err(|_| StoreError::Corrupt("hits.list_kind".into()))?
            },
            entry_id: row.try_get("entry_id")?,
            score: row.try_get("score")?,
            action: row.try_get("action")?,
            explanation: serde_json::from_str(&explanation)
                .map_err(|e| StoreError::Corrupt(format!("hits.explanation: {e}")))?,
            created_at: row.try_get("created_at")?,
            post: row.try_get("post")?,
            crossed_at: row.try_get("crossed_at")?,
            list_version: row.try_get("list_version")?,
            origin: row.try_get("origin")?,
            adjudication: None,
            adjudications: Vec::new(),
        }
    }};
}

/// A stored hit with its crossing's post and time and its current
/// adjudication (the latest), if any.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredHit {
    pub id: i64,
    pub crossing_id: String,
    pub kind: HitKind,
    pub list_name: String,
    pub list_kind: ListKind,
    pub entry_id: String,
    pub score: f64,
    pub action: String,
    pub explanation: serde_json::Value,
    pub created_at: String,
    pub post: String,
    pub crossed_at: String,
    /// The version of the list screened against, when known.
    pub list_version: Option<i64>,
    /// Where the hit was raised: empty here, else the post's code (by sync).
    pub origin: String,
    /// The adjudication that stands: the last of `adjudications`.
    pub adjudication: Option<Adjudication>,
    /// Every adjudication, wherever made, in order (by time, then origin).
    pub adjudications: Vec<Adjudication>,
}

/// Which hits the supervisors' queue shows, by the adjudication in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HitStatus {
    /// Not adjudicated yet.
    #[default]
    Open,
    Confirmed,
    Dismissed,
    All,
}

/// The order of the supervisors' queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HitOrder {
    /// Most severe list kind first ([`centinela_domain::ListKind::severity`]),
    /// then the highest score, then the longest waiting.
    #[default]
    Severity,
    /// The longest waiting first.
    Oldest,
    Newest,
}

/// A page of the supervisors' queue.
#[derive(Debug, Clone, Copy, Default)]
pub struct HitQuery<'a> {
    pub status: HitStatus,
    /// Only hits at this post.
    pub post: Option<&'a str>,
    /// Only hits on this list (its name).
    pub list: Option<&'a str>,
    pub order: HitOrder,
    pub offset: u64,
    /// At most [`MAX_HIT_PAGE`].
    pub limit: u32,
}

/// The largest page of the supervisors' queue.
pub const MAX_HIT_PAGE: u32 = 100;

/// A hit in the supervisors' queue: the hit, the traveller as registered,
/// the booth's decision in force and what the inspection showed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueuedHit {
    pub hit: StoredHit,
    pub given_names: String,
    pub surnames: String,
    /// The officer's decision in force on the crossing, if any.
    pub decision: Option<String>,
    /// What the inspection showed for this traveller (absent for hits of
    /// crossings inspected elsewhere and not synchronised).
    pub inspection: Option<serde_json::Value>,
}

/// One page of the queue and how many hits match in all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HitPage {
    pub hits: Vec<QueuedHit>,
    pub total: u64,
}

/// A supervisor's judgement of a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Confirmed,
    Dismissed,
}

impl Verdict {
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Confirmed => "confirmed",
            Verdict::Dismissed => "dismissed",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "confirmed" => Ok(Verdict::Confirmed),
            "dismissed" => Ok(Verdict::Dismissed),
            _ => Err(StoreError::Corrupt(format!("adjudications.decision: '{s}'"))),
        }
    }
}

/// An adjudication as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Adjudication {
    pub id: i64,
    pub hit_id: i64,
    pub decision: Verdict,
    pub reason: String,
    pub user_id: i64,
    pub corrects: Option<i64>,
    pub at: String,
    /// Where it was made: empty here, else the post's code (by sync).
    pub origin: String,
}

/// The officer's decision on a crossing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Admit,
    SecondaryInspection,
    ReferToProtection,
    Refuse,
}

impl Decision {
    pub fn as_str(&self) -> &'static str {
        match self {
            Decision::Admit => "admit",
            Decision::SecondaryInspection => "secondary_inspection",
            Decision::ReferToProtection => "refer_to_protection",
            Decision::Refuse => "refuse",
        }
    }
}

/// Where a traveller is referred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralUnit {
    SecondaryInspection,
    Protection,
}

impl ReferralUnit {
    pub fn as_str(&self) -> &'static str {
        match self {
            ReferralUnit::SecondaryInspection => "secondary_inspection",
            ReferralUnit::Protection => "protection",
        }
    }
}

/// Who is acting, for rows that name a user and for the audit chain.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub user_id: i64,
    pub username: &'a str,
    pub role: Role,
}

/// Which hits [`Store::query_hits`] returns; empty text and 0 mean "any".
#[derive(Debug, Clone, Copy)]
struct HitFilter<'a> {
    open: bool,
    post: &'a str,
    crossing: &'a str,
    id: i64,
    limit: u64,
}

/// Checks a post code: 2 to 40 ASCII capitals, digits and `-`.
pub fn check_post_code(code: &str) -> Result<(), StoreError> {
    centinela_domain::check_post_code(code).map_err(|e| StoreError::Invalid(e.to_string()))
}

pub(crate) const CROSSING_COLS: &str = "crossing_id, post, direction, crossed_at, given_names, surnames, birth_date, \
    nationality, sex, document_type, document_number, issuing_state, group_id, vehicle, phone, address, \
    destination, relation, source, officer_id, corrects, recorded_at";
pub(crate) const CROSSING_NCOLS: usize = 22;
/// [`CROSSING_COLS`] of the table aliased `c`.
pub(crate) const CROSSING_COLS_C: &str = "c.crossing_id, c.post, c.direction, c.crossed_at, c.given_names, \
    c.surnames, c.birth_date, c.nationality, c.sex, c.document_type, c.document_number, c.issuing_state, c.group_id, \
    c.vehicle, c.phone, c.address, c.destination, c.relation, c.source, c.officer_id, c.corrects, c.recorded_at";

/// The text columns of a record, in `CROSSING_COLS` order (first 17).
pub(crate) fn record_texts(r: &CrossingRecord) -> [String; 17] {
    let opt = |s: Option<&str>| s.unwrap_or("").to_string();
    [
        r.crossing_id.clone(),
        r.post.clone(),
        r.direction.as_str().to_string(),
        r.crossed_at.to_string(),
        r.given_names.clone(),
        r.surnames.clone(),
        r.birth_date.map(|d| d.to_string()).unwrap_or_default(),
        opt(r.nationality.as_ref().map(|c| c.as_str())),
        r.sex.as_str().to_string(),
        r.document_type.clone(),
        opt(r.document_number.as_ref().map(|d| d.as_str())),
        opt(r.issuing_state.as_ref().map(|c| c.as_str())),
        r.group_id.clone(),
        r.vehicle.clone(),
        r.phone.clone(),
        r.address.clone(),
        r.destination.clone(),
    ]
}

fn corrupt(col: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("crossings.{col}: {e}"))
}

pub(crate) fn crossing_from<R>(row: &R) -> Result<StoredCrossing, StoreError>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<i64>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let t = |c: &str| -> Result<String, StoreError> { Ok(row.try_get::<String, _>(c)?) };
    let country = |c: &str| -> Result<Option<CountryCode>, StoreError> {
        CountryCode::parse_opt(&t(c)?).map_err(|e| corrupt(c, e))
    };
    let number = t("document_number")?;
    let record = CrossingRecord {
        crossing_id: t("crossing_id")?,
        post: t("post")?,
        direction: Direction::parse(&t("direction")?).map_err(|e| corrupt("direction", e))?,
        crossed_at: Timestamp::parse(&t("crossed_at")?).map_err(|e| corrupt("crossed_at", e))?,
        given_names: t("given_names")?,
        surnames: t("surnames")?,
        birth_date: BirthDate::parse_opt(&t("birth_date")?).map_err(|e| corrupt("birth_date", e))?,
        nationality: country("nationality")?,
        sex: Sex::parse(&t("sex")?).map_err(|e| corrupt("sex", e))?,
        document_type: t("document_type")?,
        document_number: if number.is_empty() {
            None
        } else {
            Some(DocumentNumber::parse(&number).map_err(|e| corrupt("document_number", e))?)
        },
        issuing_state: country("issuing_state")?,
        group_id: t("group_id")?,
        vehicle: t("vehicle")?,
        phone: t("phone")?,
        address: t("address")?,
        destination: t("destination")?,
    };
    Ok(StoredCrossing {
        record,
        relation: t("relation")?,
        source: t("source")?,
        officer_id: row.try_get("officer_id")?,
        corrects: row.try_get("corrects")?,
        recorded_at: t("recorded_at")?,
    })
}

/// `INSERT INTO crossings (…) VALUES (…), … ON CONFLICT DO NOTHING` for `n` rows.
pub(crate) fn insert_crossings_sql(backend: Backend, n: usize) -> String {
    format!(
        "INSERT INTO crossings ({CROSSING_COLS}) VALUES {} ON CONFLICT (crossing_id) DO NOTHING",
        crate::multirow::values(backend, n, CROSSING_NCOLS)
    )
}

/// Rows per multi-row INSERT: 22 parameters each, well under SQLite's
/// 32 766 and PostgreSQL's 65 535.
pub(crate) const CROSSING_CHUNK: usize = 512;
/// Inspections per INSERT (5 parameters each).
pub(crate) const INSPECTION_CHUNK: usize = 512;
/// Hits per INSERT (10 parameters each).
pub(crate) const HIT_CHUNK: usize = 512;
/// Document numbers per history query.
const HOLDER_CHUNK: usize = 256;

/// A document's holder as registered: given names, surnames, birth date.
pub type Holder = (String, String, Option<BirthDate>);

/// Binds one crossing's 22 columns to `$q`, in `CROSSING_COLS` order.
macro_rules! bind_crossing {
    ($q:expr, $r:expr, $relation:expr, $source:expr, $officer:expr, $corrects:expr, $now:expr) => {{
        let mut q = $q;
        for v in record_texts($r) {
            q = q.bind(v);
        }
        q.bind($relation.to_string())
            .bind($source.to_string())
            .bind($officer)
            .bind($corrects.map(|s: &str| s.to_string()))
            .bind($now.to_string())
    }};
}
pub(crate) use bind_crossing;

/// Writes `rows` (each with its source fields) and returns how many were
/// new. Runs inside the caller's transaction `$tx`.
macro_rules! insert_crossings_in_tx {
    ($tx:expr, $backend:expr, $rows:expr, $now:expr) => {
        async {
            let mut inserted = 0u64;
            for range in $crate::multirow::chunks($rows.len(), $crate::crossings::CROSSING_CHUNK) {
                let chunk = &$rows[range];
                let sql = $crate::crossings::insert_crossings_sql($backend, chunk.len());
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (r, relation, source, officer, corrects) in chunk {
                    q = $crate::crossings::bind_crossing!(q, r, relation, source, *officer, *corrects, $now);
                }
                inserted += q.execute(&mut *$tx).await?.rows_affected();
            }
            Ok::<u64, $crate::StoreError>(inserted)
        }
    };
}
pub(crate) use insert_crossings_in_tx;

type AdjudicationRow = (i64, i64, String, String, i64, Option<i64>, String, String);
type PostRow = (i64, String, String, String, String, String, String, String);
pub(crate) type CrossingRow<'a> = (&'a CrossingRecord, &'a str, &'a str, Option<i64>, Option<&'a str>);

/// A new post key (256 random bits, hex) and the SHA-256 of its text, which
/// is what the database keeps.
fn new_post_key() -> Result<(String, Vec<u8>), StoreError> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| StoreError::Internal(format!("no randomness for the post key: {e}")))?;
    let key_hex = crate::hex(&key);
    let hash = Sha256::digest(key_hex.as_bytes()).to_vec();
    Ok((key_hex, hash))
}

impl Store {
    /// Creates a border post and returns it with its synchronisation key
    /// (64 hex digits, shown once; only its SHA-256 is stored). Audited.
    pub async fn add_post(&self, actor: &str, p: &NewPost<'_>) -> Result<(Post, String), StoreError> {
        check_post_code(p.code)?;
        if p.name.trim().is_empty() {
            return Err(StoreError::Invalid("a post needs a name".into()));
        }
        let (key_hex, hash) = new_post_key()?;
        let now = now_rfc3339();
        let zone = centinela_domain::country_time_zone(p.country.as_str()).unwrap_or("");
        let detail = serde_json::json!({ "country": p.country.as_str(), "kind": p.kind.as_str() }).to_string();
        let backend = self.backend();
        let id: i64 = on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin_write(backend)).await?;
            let taken: Option<(i64, Option<String>)> =
                sqlx::query_as("SELECT id, revoked_at FROM posts WHERE code = $1")
                    .bind(p.code)
                    .fetch_optional(&mut *tx)
                    .await?;
            match taken {
                Some((_, None)) => return Err(StoreError::Conflict(format!("post '{}' already exists", p.code))),
                Some((id, Some(_))) => {
                    // A revoked post added again: the same post (its records
                    // stay its own) with a new key, in force again.
                    sqlx::query(
                        "UPDATE posts SET name = $1, country = $2, facing = $3, kind = $4, sync_key_hash = $5, \
                         revoked_at = NULL WHERE id = $6",
                    )
                    .bind(p.name.trim())
                    .bind(p.country.as_str())
                    .bind(p.facing)
                    .bind(p.kind.as_str())
                    .bind(&hash)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    append_in_tx!(tx, self, actor, "post_readded", p.code, &detail).await?;
                    tx.commit().await?;
                    return self
                        .posts()
                        .await?
                        .into_iter()
                        .find(|x| x.code == p.code)
                        .map(|post| (post, key_hex))
                        .ok_or_else(|| StoreError::NotFound(format!("post '{}'", p.code)));
                }
                None => {}
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO posts (code, name, country, facing, kind, sync_key_hash, created_at, time_zone) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(p.code)
            .bind(p.name.trim())
            .bind(p.country.as_str())
            .bind(p.facing)
            .bind(p.kind.as_str())
            .bind(&hash)
            .bind(&now)
            .bind(zone)
            .fetch_one(&mut *tx)
            .await?;
            // An air post named in the shipped table gets its airport code.
            if let Some(iata) = crate::known_airport(p.code).filter(|_| p.kind.as_str() == "air") {
                sqlx::query("UPDATE posts SET iata = $1 WHERE id = $2").bind(iata).bind(id).execute(&mut *tx).await?;
            }
            append_in_tx!(tx, self, actor, "post_created", p.code, &detail).await?;
            tx.commit().await?;
            id
        });
        let post = Post {
            id,
            code: p.code.to_string(),
            name: p.name.trim().to_string(),
            country: p.country.as_str().to_string(),
            facing: p.facing.to_string(),
            kind: p.kind.as_str().to_string(),
            created_at: now,
            time_zone: zone.to_string(),
        };
        Ok((post, key_hex))
    }

    /// Sets the time zone of post `code` (an IANA name, or empty for none:
    /// the centre's). Audited `post_time_zone_changed`. The caller checks
    /// that the zone exists; the store, its shape.
    pub async fn set_post_time_zone(&self, actor: &str, code: &str, zone: &str) -> Result<(), StoreError> {
        if !zone.is_empty() && !centinela_domain::is_zone_name(zone) {
            return Err(StoreError::Invalid("time_zone: not an IANA time zone name".into()));
        }
        self.set_post_setting(actor, code, "time_zone", zone, "post_time_zone_changed").await
    }

    /// Sets `column` of post `code` to `value` and audits `action` with
    /// the new value, in one transaction. For the posts' settings whose
    /// value is no personal data (time zone, airport code); `column` is
    /// one of this crate's names, never a caller's text.
    pub(crate) async fn set_post_setting(
        &self,
        actor: &str,
        code: &str,
        column: &'static str,
        value: &str,
        action: &str,
    ) -> Result<(), StoreError> {
        let detail = serde_json::json!({ column: value }).to_string();
        let backend = self.backend();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin_write(backend)).await?;
            let n = sqlx::query(AssertSqlSafe(format!("UPDATE posts SET {column} = $1 WHERE code = $2")))
                .bind(value)
                .bind(code)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound(format!("post '{code}'")));
            }
            append_in_tx!(tx, self, actor, action, code, &detail).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The time zone of post `code` (empty when none is set or there is no
    /// such post).
    pub async fn post_time_zone(&self, code: &str) -> Result<String, StoreError> {
        let zone: Option<String> = on_pool!(self, p => {
            sqlx::query_scalar("SELECT time_zone FROM posts WHERE code = $1").bind(code).fetch_optional(p).await?
        });
        Ok(zone.unwrap_or_default())
    }

    /// Gives a post a new sync key and returns it (shown once): the old key
    /// stops working at once. A revoked post is re-added with `add_post`
    /// instead. Audited.
    pub async fn rotate_post_key(&self, actor: &str, code: &str) -> Result<String, StoreError> {
        let (key_hex, hash) = new_post_key()?;
        let backend = self.backend();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin_write(backend)).await?;
            let found: Option<Option<String>> = sqlx::query_scalar("SELECT revoked_at FROM posts WHERE code = $1")
                .bind(code)
                .fetch_optional(&mut *tx)
                .await?;
            match found {
                None => return Err(StoreError::NotFound(format!("post '{code}'"))),
                Some(Some(_)) => {
                    return Err(StoreError::Conflict(format!(
                        "post '{code}' is revoked: add it again (posts add) to give it a new key"
                    )));
                }
                Some(None) => {}
            }
            sqlx::query("UPDATE posts SET sync_key_hash = $1 WHERE code = $2")
                .bind(&hash)
                .bind(code)
                .execute(&mut *tx)
                .await?;
            append_in_tx!(tx, self, actor, "post_key_rotated", code, "{}").await?;
            tx.commit().await?;
            Ok(key_hex)
        })
    }

    /// Every border post, by code.
    pub async fn posts(&self) -> Result<Vec<Post>, StoreError> {
        let rows: Vec<PostRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT id, code, name, country, facing, kind, created_at, time_zone FROM posts ORDER BY code")
                .fetch_all(p)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, code, name, country, facing, kind, created_at, time_zone)| Post {
                id,
                code,
                name,
                country,
                facing,
                kind,
                created_at,
                time_zone,
            })
            .collect())
    }

    /// The post whose sync key is `key`, if any (for synchronisation).
    pub async fn post_by_key(&self, key: &str) -> Result<Option<String>, StoreError> {
        let hash = Sha256::digest(key.trim().as_bytes()).to_vec();
        Ok(on_pool!(self, p => {
            sqlx::query_scalar("SELECT code FROM posts WHERE sync_key_hash = $1").bind(&hash).fetch_optional(p).await?
        }))
    }

    /// Imports crossing records, all or nothing, in one transaction; a
    /// `crossing_id` already stored (or repeated in `rows`) is kept once.
    /// Audited as one `crossings_imported` entry by `actor`.
    pub async fn import_crossings(&self, actor: &str, rows: &[CrossingRecord]) -> Result<CrossingsImport, StoreError> {
        let now = now_rfc3339();
        let rows: Vec<CrossingRow<'_>> = rows.iter().map(|r| (r, "", "import", None, None)).collect();
        let backend = self.backend();
        let inserted = on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let inserted = insert_crossings_in_tx!(tx, backend, rows, now.as_str()).await?;
            let detail = serde_json::json!({ "read": rows.len(), "inserted": inserted }).to_string();
            append_in_tx!(tx, self, actor, "crossings_imported", "crossings", &detail).await?;
            tx.commit().await?;
            inserted
        });
        let read = rows.len() as u64;
        Ok(CrossingsImport { read, inserted, already_present: read - inserted })
    }

    /// How many crossings are stored.
    pub async fn crossing_count(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM crossings").fetch_one(p).await?))
    }

    /// One crossing by id.
    pub async fn crossing(&self, crossing_id: &str) -> Result<Option<StoredCrossing>, StoreError> {
        let sql = AssertSqlSafe(format!("SELECT {CROSSING_COLS} FROM crossings WHERE crossing_id = $1"));
        on_pool!(self, p => {
            match sqlx::query(sql).bind(crossing_id).fetch_optional(p).await? {
                Some(row) => Ok(Some(crossing_from(&row)?)),
                None => Ok(None),
            }
        })
    }

    /// What the inspection of a crossing showed (the stored JSON), if it
    /// was registered by inspection.
    pub async fn inspection_result(&self, crossing_id: &str) -> Result<Option<serde_json::Value>, StoreError> {
        let text: Option<String> = on_pool!(self, p => {
            sqlx::query_scalar("SELECT result FROM inspections WHERE crossing_id = $1")
                .bind(crossing_id)
                .fetch_optional(p)
                .await?
        });
        text.map(|t| serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(format!("inspections.result: {e}"))))
            .transpose()
    }

    /// Every crossing of the traveller of `crossing_id`, oldest first: the
    /// same document (number and issuing state), or the same names and full
    /// birth date as registered. (Identity resolution across spellings is
    /// the intelligence crate's work.)
    pub async fn timeline(&self, crossing_id: &str) -> Result<Vec<StoredCrossing>, StoreError> {
        let Some(c) = self.crossing(crossing_id).await? else {
            return Ok(Vec::new());
        };
        let r = &c.record;
        let number = r.document_number.as_ref().map(|d| d.as_str().to_string()).unwrap_or_default();
        let state = r.issuing_state.map(|s| s.as_str().to_string()).unwrap_or_default();
        let birth = r.birth_date.filter(BirthDate::is_full).map(|d| d.to_string()).unwrap_or_default();
        let sql = AssertSqlSafe(format!(
            "SELECT {CROSSING_COLS} FROM crossings WHERE \
             ($1 <> '' AND document_number = $1 AND issuing_state = $2) \
             OR ($3 <> '' AND birth_date = $3 AND surnames = $4 AND given_names = $5) \
             OR crossing_id = $6 ORDER BY crossed_at, crossing_id"
        ));
        on_pool!(self, p => {
            let rows = sqlx::query(sql)
                .bind(&number)
                .bind(&state)
                .bind(&birth)
                .bind(&r.surnames)
                .bind(&r.given_names)
                .bind(crossing_id)
                .fetch_all(p)
                .await?;
            rows.iter().map(crossing_from).collect()
        })
    }

    /// A traveller's latest crossings — the same document (number and
    /// issuing state), or the same names and full birth date as registered
    /// — at `post` when given, newest first, at most `limit` (capped at
    /// [`MAX_RECENT`]). Nothing when the key identifies no one.
    pub async fn recent_crossings(
        &self,
        key: TravellerKey<'_>,
        post: Option<&str>,
        limit: u32,
    ) -> Result<Vec<RecentCrossing>, StoreError> {
        let by_doc = key.document.filter(|(n, _)| !n.is_empty());
        let has_name = !key.surnames.is_empty() || !key.given_names.is_empty();
        let by_name = !key.birth_date.is_empty() && has_name;
        // Each term of the OR is answered by an index of its own
        // (crossings_document, crossings_names).
        let terms: Vec<&str> = [
            by_doc.map(|_| "(document_number = $1 AND issuing_state = $2)"),
            by_name.then_some("(surnames = $4 AND given_names = $5 AND birth_date = $3)"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if terms.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let sql = AssertSqlSafe(format!(
            "SELECT crossing_id, post, direction, crossed_at FROM crossings WHERE ({}) AND ($6 = '' OR post = $6) \
             ORDER BY crossed_at DESC, crossing_id DESC LIMIT $7",
            terms.join(" OR ")
        ));
        let (number, state) = by_doc.unwrap_or(("", ""));
        let rows: Vec<(String, String, String, String)> = on_pool!(self, p => {
            sqlx::query_as(sql)
                .bind(number)
                .bind(state)
                .bind(key.birth_date)
                .bind(key.surnames)
                .bind(key.given_names)
                .bind(post.unwrap_or(""))
                .bind(i64::from(limit.min(MAX_RECENT)))
                .fetch_all(p)
                .await?
        });
        rows.into_iter()
            .map(|(crossing_id, post, direction, crossed_at)| {
                let direction = Direction::parse(&direction).map_err(|e| corrupt("crossings.direction", e))?;
                Ok(RecentCrossing { crossing_id, post, direction, crossed_at })
            })
            .collect()
    }

    /// The distinct holders a document was registered with (names and
    /// birth date as registered), at most `limit`: the history indicator T4
    /// compares them with the traveller presenting it.
    pub async fn document_holders(
        &self,
        number: &str,
        issuing_state: &str,
        limit: u32,
    ) -> Result<Vec<Holder>, StoreError> {
        Ok(self.document_holders_many(&[(number, issuing_state)], limit).await?.pop().unwrap_or_default())
    }

    /// [`Store::document_holders`] for several documents (number, issuing
    /// state) in one query per chunk; the answer is in the order asked.
    pub async fn document_holders_many(
        &self,
        docs: &[(&str, &str)],
        limit: u32,
    ) -> Result<Vec<Vec<Holder>>, StoreError> {
        self.holders_on(None, docs, limit).await
    }

    /// [`Store::document_holders_many`] on a connection of its own, or on
    /// the pool.
    pub(crate) async fn holders_on(
        &self,
        mut conn: Option<&mut OwnConn>,
        docs: &[(&str, &str)],
        limit: u32,
    ) -> Result<Vec<Vec<Holder>>, StoreError> {
        let mut wanted: Vec<&str> = docs.iter().map(|d| d.0).filter(|n| !n.is_empty()).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let mut found: HashMap<(String, String), Vec<Holder>> = HashMap::new();
        let backend = self.backend();
        for range in crate::multirow::chunks(wanted.len(), HOLDER_CHUNK) {
            // By number only (the index's prefix); the state is compared
            // here. Every column is in the index (migration 0009).
            let sql = format!(
                "SELECT DISTINCT document_number, issuing_state, surnames, given_names, birth_date FROM crossings \
                 WHERE document_number IN {}",
                crate::multirow::values(backend, 1, range.len())
            );
            macro_rules! fetch {
                ($exec:expr) => {{
                    let mut q = sqlx::query_as(AssertSqlSafe(sql));
                    for n in &wanted[range] {
                        q = q.bind(*n);
                    }
                    q.fetch_all($exec).await?
                }};
            }
            let rows: Vec<(String, String, String, String, String)> = match conn.as_deref_mut() {
                Some(c) => on_own!(c, c => fetch!(&mut *c)),
                None => on_pool!(self, p => fetch!(p)),
            };
            for (number, state, surnames, given, birth) in rows {
                let holders = found.entry((number, state)).or_default();
                if holders.len() < limit as usize {
                    holders.push((given, surnames, BirthDate::parse_opt(&birth).ok().flatten()));
                }
            }
        }
        Ok(docs
            .iter()
            .map(|(n, st)| found.get(&((*n).to_string(), (*st).to_string())).cloned().unwrap_or_default())
            .collect())
    }

    /// The travellers registered with `group_id`, in registration order.
    pub async fn party(&self, group_id: &str) -> Result<Vec<StoredCrossing>, StoreError> {
        if group_id.is_empty() {
            return Ok(Vec::new());
        }
        let sql = AssertSqlSafe(format!("SELECT {CROSSING_COLS} FROM crossings WHERE group_id = $1 ORDER BY id"));
        on_pool!(self, p => {
            let rows = sqlx::query(sql).bind(group_id).fetch_all(p).await?;
            rows.iter().map(crossing_from).collect()
        })
    }

    /// Crossings with `crossed_at` in `[from, to)` (RFC 3339 UTC text, either
    /// bound optional), oldest first, at most `limit`.
    pub async fn crossings_between(
        &self,
        from: Option<&str>,
        to: Option<&str>,
        limit: Option<u64>,
    ) -> Result<Vec<StoredCrossing>, StoreError> {
        let limit = limit.map_or(i64::MAX, |l| i64::try_from(l).unwrap_or(i64::MAX));
        let sql = AssertSqlSafe(format!(
            "SELECT {CROSSING_COLS} FROM crossings WHERE crossed_at >= $1 AND crossed_at < $2 \
             ORDER BY crossed_at, crossing_id LIMIT $3"
        ));
        on_pool!(self, p => {
            let rows = sqlx::query(sql)
                .bind(from.unwrap_or(""))
                .bind(to.unwrap_or("\u{10FFFF}"))
                .bind(limit)
                .fetch_all(p)
                .await?;
            rows.iter().map(crossing_from).collect()
        })
    }

    /// Hits, newest first: only those without an adjudication when `open`,
    /// only at `post` when given, at most `limit`.
    pub async fn hits(&self, open: bool, post: Option<&str>, limit: u64) -> Result<Vec<StoredHit>, StoreError> {
        self.query_hits(HitFilter { open, post: post.unwrap_or(""), crossing: "", id: 0, limit }).await
    }

    /// A page of the supervisors' queue: hits matching `q`, in its order,
    /// with their adjudications, the traveller, the booth's decision and
    /// the inspection's result, and how many match in all.
    pub async fn hit_queue(&self, q: &HitQuery<'_>) -> Result<HitPage, StoreError> {
        let latest = "(SELECT a.decision FROM adjudications a WHERE a.hit_id = h.id \
                      ORDER BY a.at DESC, a.origin DESC, a.id DESC LIMIT 1)";
        let status = match q.status {
            HitStatus::Open => "AND NOT EXISTS (SELECT 1 FROM adjudications a WHERE a.hit_id = h.id)".to_string(),
            HitStatus::Confirmed => format!("AND {latest} = 'confirmed'"),
            HitStatus::Dismissed => format!("AND {latest} = 'dismissed'"),
            HitStatus::All => String::new(),
        };
        let severity = centinela_domain::ListKind::ALL
            .iter()
            .map(|k| format!("WHEN '{}' THEN {}", k.as_str(), k.severity()))
            .collect::<Vec<_>>()
            .join(" ");
        let order = match q.order {
            HitOrder::Severity => {
                format!("CASE h.list_kind {severity} ELSE 0 END DESC, h.score DESC, h.created_at, h.id")
            }
            HitOrder::Oldest => "h.created_at, h.id".to_string(),
            HitOrder::Newest => "h.created_at DESC, h.id DESC".to_string(),
        };
        let filter = format!(
            "FROM hits h JOIN crossings c ON c.crossing_id = h.crossing_id \
             WHERE ($1 = '' OR c.post = $1) AND ($2 = '' OR h.list_name = $2) {status}"
        );
        let sql = AssertSqlSafe(format!(
            "SELECT h.id, h.crossing_id, h.kind, h.list_name, h.list_kind, h.entry_id, h.score, h.action, \
             h.explanation, h.created_at, c.post, c.crossed_at, h.list_version, h.origin, c.given_names, c.surnames, \
             (SELECT d.decision FROM decisions d WHERE d.crossing_id = h.crossing_id \
              ORDER BY d.at DESC, d.origin DESC, d.id DESC LIMIT 1) AS booth, \
             (SELECT i.result FROM inspections i WHERE i.crossing_id = h.crossing_id) AS result \
             {filter} ORDER BY {order} LIMIT $3 OFFSET $4"
        ));
        let count = AssertSqlSafe(format!("SELECT COUNT(*) {filter}"));
        let (post, list) = (q.post.unwrap_or(""), q.list.unwrap_or(""));
        let limit = i64::from(q.limit.min(MAX_HIT_PAGE));
        let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
        let mut page = on_pool!(self, p => {
            let total: i64 = sqlx::query_scalar(count).bind(post).bind(list).fetch_one(p).await?;
            let rows = sqlx::query(sql).bind(post).bind(list).bind(limit).bind(offset).fetch_all(p).await?;
            let mut hits = Vec::with_capacity(rows.len());
            for row in &rows {
                let result: Option<String> = row.try_get("result")?;
                hits.push(QueuedHit {
                    hit: stored_hit!(row),
                    given_names: row.try_get("given_names")?,
                    surnames: row.try_get("surnames")?,
                    decision: row.try_get("booth")?,
                    inspection: result
                        .map(|r| serde_json::from_str(&r))
                        .transpose()
                        .map_err(|e| StoreError::Corrupt(format!("inspections.result: {e}")))?,
                });
            }
            HitPage { hits, total: u64::try_from(total).unwrap_or(0) }
        });
        for q in &mut page.hits {
            q.hit.adjudications = self.adjudications(q.hit.id).await?;
            q.hit.adjudication = q.hit.adjudications.last().cloned();
        }
        Ok(page)
    }

    /// One hit by id, with its current adjudication.
    pub async fn hit(&self, id: i64) -> Result<Option<StoredHit>, StoreError> {
        Ok(self.query_hits(HitFilter { open: false, post: "", crossing: "", id, limit: 1 }).await?.pop())
    }

    /// The hits raised for one crossing, oldest first, with their current
    /// adjudications.
    pub async fn hits_of_crossing(&self, crossing_id: &str) -> Result<Vec<StoredHit>, StoreError> {
        if crossing_id.is_empty() {
            return Ok(Vec::new());
        }
        let mut hits =
            self.query_hits(HitFilter { open: false, post: "", crossing: crossing_id, id: 0, limit: u64::MAX }).await?;
        hits.reverse();
        Ok(hits)
    }

    async fn query_hits(&self, f: HitFilter<'_>) -> Result<Vec<StoredHit>, StoreError> {
        let limit = i64::try_from(f.limit).unwrap_or(i64::MAX);
        let sql = AssertSqlSafe(format!(
            "SELECT h.id, h.crossing_id, h.kind, h.list_name, h.list_kind, h.entry_id, h.score, h.action, \
             h.explanation, h.created_at, c.post, c.crossed_at, h.list_version, h.origin FROM hits h \
             JOIN crossings c ON c.crossing_id = h.crossing_id \
             WHERE ($1 = '' OR c.post = $1) AND ($2 = '' OR h.crossing_id = $2) AND ($3 = 0 OR h.id = $3) {} \
             ORDER BY h.id DESC LIMIT $4",
            if f.open { "AND NOT EXISTS (SELECT 1 FROM adjudications a WHERE a.hit_id = h.id)" } else { "" }
        ));
        let mut hits: Vec<StoredHit> = on_pool!(self, p => {
            let rows = sqlx::query(sql).bind(f.post).bind(f.crossing).bind(f.id).bind(limit).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push(stored_hit!(row));
            }
            out
        });
        for h in &mut hits {
            h.adjudications = self.adjudications(h.id).await?;
            h.adjudication = h.adjudications.last().cloned();
        }
        Ok(hits)
    }

    /// Every adjudication of a hit, oldest first (the last one stands).
    pub async fn adjudications(&self, hit_id: i64) -> Result<Vec<Adjudication>, StoreError> {
        let rows: Vec<AdjudicationRow> = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT id, hit_id, decision, reason, user_id, corrects, at, origin FROM adjudications \
                 WHERE hit_id = $1 ORDER BY at, origin, id",
            )
            .bind(hit_id)
            .fetch_all(p)
            .await?
        });
        rows.into_iter()
            .map(|(id, hit_id, decision, reason, user_id, corrects, at, origin)| {
                Ok(Adjudication {
                    id,
                    hit_id,
                    decision: Verdict::parse(&decision)?,
                    reason,
                    user_id,
                    corrects,
                    at,
                    origin,
                })
            })
            .collect()
    }

    /// Records a supervisor's judgement of a hit (a later one corrects the
    /// earlier, which stays). The reason is required. Audited.
    pub async fn adjudicate(
        &self,
        actor: Actor<'_>,
        hit_id: i64,
        decision: Verdict,
        reason: &str,
    ) -> Result<Adjudication, StoreError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid("an adjudication needs a reason".into()));
        }
        let now = now_rfc3339();
        let backend = self.backend();
        let detail = serde_json::json!({ "hit": hit_id, "decision": decision.as_str() }).to_string();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let crossing: Option<String> = sqlx::query_scalar("SELECT crossing_id FROM hits WHERE id = $1")
                .bind(hit_id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(crossing) = crossing else {
                return Err(StoreError::NotFound(format!("hit {hit_id}")));
            };
            // The adjudication that stands (by time, then origin) is the one corrected.
            let corrects: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM adjudications WHERE hit_id = $1 ORDER BY at DESC, origin DESC, id DESC LIMIT 1",
            )
            .bind(hit_id)
            .fetch_optional(&mut *tx)
            .await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO adjudications (hit_id, decision, reason, user_id, corrects, at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(hit_id)
            .bind(decision.as_str())
            .bind(reason)
            .bind(actor.user_id)
            .bind(corrects)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            append_in_tx!(tx, self, actor.username, "hit_adjudicated", &crossing, &detail).await?;
            tx.commit().await?;
            Ok(Adjudication {
                id,
                hit_id,
                decision,
                reason: reason.to_string(),
                user_id: actor.user_id,
                corrects,
                at: now,
                origin: String::new(),
            })
        })
    }

    /// Records the officer's decision on a crossing (the latest stands) and,
    /// for a referral decision, the referral with the indicators that
    /// triggered it (the flags and hits its inspection showed). Audited.
    pub async fn decide(
        &self,
        actor: Actor<'_>,
        crossing_id: &str,
        decision: Decision,
        reason: &str,
    ) -> Result<i64, StoreError> {
        self.decide_with_indicators(actor, crossing_id, decision, reason, None).await
    }

    /// [`Store::decide`], with the referral's indicators given
    /// (`{"flags":[{"code","kind","reason"}],"hits":[…]}`) instead of read
    /// from the inspection — for records that came in without one (imports,
    /// the demo country).
    pub async fn decide_with_indicators(
        &self,
        actor: Actor<'_>,
        crossing_id: &str,
        decision: Decision,
        reason: &str,
        indicators: Option<serde_json::Value>,
    ) -> Result<i64, StoreError> {
        let now = now_rfc3339();
        let backend = self.backend();
        let detail = serde_json::json!({ "decision": decision.as_str() }).to_string();
        let unit = match decision {
            Decision::SecondaryInspection => Some(ReferralUnit::SecondaryInspection),
            Decision::ReferToProtection => Some(ReferralUnit::Protection),
            _ => None,
        };
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM crossings WHERE crossing_id = $1")
                .bind(crossing_id)
                .fetch_optional(&mut *tx)
                .await?;
            if found.is_none() {
                return Err(StoreError::NotFound(format!("crossing '{crossing_id}'")));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO decisions (crossing_id, decision, reason, user_id, at) VALUES ($1, $2, $3, $4, $5) \
                 RETURNING id",
            )
            .bind(crossing_id)
            .bind(decision.as_str())
            .bind(reason.trim())
            .bind(actor.user_id)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            if let Some(unit) = unit {
                let indicators = match &indicators {
                    Some(v) => v.clone(),
                    None => {
                        let result: Option<String> =
                            sqlx::query_scalar("SELECT result FROM inspections WHERE crossing_id = $1")
                                .bind(crossing_id)
                                .fetch_optional(&mut *tx)
                                .await?;
                        indicators_of(result.as_deref())
                    }
                };
                sqlx::query(
                    "INSERT INTO referrals (crossing_id, unit, reason, user_id, at, indicators) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(crossing_id)
                .bind(unit.as_str())
                .bind(reason.trim())
                .bind(actor.user_id)
                .bind(&now)
                .bind(indicators.to_string())
                .execute(&mut *tx)
                .await?;
            }
            append_in_tx!(tx, self, actor.username, "crossing_decided", crossing_id, &detail).await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// The decision that stands on a crossing (the latest), if any.
    pub async fn decision(&self, crossing_id: &str) -> Result<Option<(String, String, String)>, StoreError> {
        Ok(on_pool!(self, p => {
            sqlx::query_as(
                "SELECT decision, reason, at FROM decisions WHERE crossing_id = $1 \
                 ORDER BY at DESC, origin DESC, id DESC LIMIT 1",
            )
            .bind(crossing_id)
            .fetch_optional(p)
            .await?
        }))
    }
}

/// Builds the indicators of a referral from the stored inspection result
/// (JSON text of `centinela_inspect::TravellerOutcome`), if any.
pub(crate) fn indicators_of(result: Option<&str>) -> serde_json::Value {
    let Some(v) = result.and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok()) else {
        return serde_json::json!({ "flags": [], "hits": [] });
    };
    let flags: Vec<serde_json::Value> = v["flags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| serde_json::json!({ "code": f["code"], "kind": f["kind"], "reason": f["reason"] }))
        .collect();
    let hits: Vec<serde_json::Value> = v["hits"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| {
            serde_json::json!({
                "kind": h["kind"], "list": h["list"], "list_kind": h["list_kind"],
                "entry_id": h["entry_id"], "score": h["score"],
            })
        })
        .collect();
    serde_json::json!({ "flags": flags, "hits": hits })
}
