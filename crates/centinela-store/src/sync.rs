//! Synchronisation between border posts (embedded SQLite, often offline) and
//! the centre (PostgreSQL).
//!
//! **At a post**, triggers (migration 0007) queue every record made there —
//! crossings, inspections, hits, adjudications, decisions, referrals, audit
//! entries — in `sync_outbox`, in the transaction that writes it, with an id
//! made at the post: `<instance>-<kind digit>-<ref as 16 hex digits>-<12
//! random hex digits>` (migration 0008; the instance is 128 random bits drawn
//! once per database, [`Store::sync_instance`]), so that ids of one kind
//! append to the uid index instead of landing on a random page, and a
//! database restored from a copy, which numbers records again, still makes
//! new ids; records queued before 0008 keep their 128-bit random ids. [`Store::outbox_pending`] reads the
//! queue past `sync_state.acked_seq` as self-contained [`OutboxItem`]s (users
//! by name, hits by uid); [`Store::sync_ack`] moves the mark, and only after
//! the centre's 2xx, so a post killed at any point pushes again what the
//! centre may or may not have applied.
//!
//! **At the centre**, [`Store::apply_push`] applies a batch in one
//! transaction, in order, skipping uids it already has (`sync_received`):
//! pushing twice changes nothing. Records keep their origin (the post's
//! code); users of a post become disabled centre users named
//! `username@POST` (no password works for them); a post's audit entries are
//! kept as the post sealed them (`sync_audit`), each link checked.
//!
//! **Lists** flow the other way: [`Store::list_deltas`] answers, for the
//! versions a post holds, the entries added and removed since (or the whole
//! version when the post's version is no longer stored), and
//! [`Store::apply_list_delta`] installs it at the post under the centre's
//! version number.

use std::collections::{BTreeMap, HashMap, HashSet};

use centinela_domain::audit::{AuditRecord, GENESIS};
use centinela_domain::{AlertEntry, CrossingRecord, DocumentRecord, ListKind, Role, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{AssertSqlSafe, Row};

use crate::audit::{append_in_tx, begin_write};
use crate::lists::{ListRows, NewVersion};
use crate::{Backend, Decision, HitKind, ReferralUnit, Store, StoreError, Verdict, hex, now_rfc3339, on_pool};

/// The protocol's version, sent with every push and pull.
pub const PROTOCOL: u32 = 1;

/// A user of the post, by name and role (ids differ between databases).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRef {
    pub username: String,
    pub role: Role,
}

/// A crossing as registered at the post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossingItem {
    pub record: CrossingRecord,
    pub relation: String,
    /// `import` or `inspection`.
    pub source: String,
    pub officer: Option<UserRef>,
    pub corrects: Option<String>,
    pub recorded_at: String,
}

/// What an inspection showed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionItem {
    pub crossing_id: String,
    pub officer: UserRef,
    pub suggested: String,
    pub result: String,
    pub at: String,
}

/// A hit, with the list version it was screened against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HitItem {
    pub crossing_id: String,
    pub kind: HitKind,
    pub list_name: String,
    pub list_kind: String,
    pub list_version: Option<i64>,
    pub entry_id: String,
    pub score: f64,
    pub action: String,
    pub explanation: String,
    pub created_at: String,
}

/// An adjudication; `hit` and `corrects` are uids of the post's outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdjudicationItem {
    pub hit: String,
    pub decision: Verdict,
    pub reason: String,
    pub user: UserRef,
    pub corrects: Option<String>,
    pub at: String,
}

/// An officer's decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionItem {
    pub crossing_id: String,
    pub decision: Decision,
    pub reason: String,
    pub user: UserRef,
    pub at: String,
}

/// A referral.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferralItem {
    pub crossing_id: String,
    pub unit: ReferralUnit,
    pub reason: String,
    /// The indicators that led to it, JSON.
    #[serde(default = "empty_object")]
    pub indicators: String,
    pub user: UserRef,
    pub at: String,
}

fn empty_object() -> String {
    "{}".into()
}

/// One entry of the post's audit chain, as sealed there (hashes in hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditItem {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
    /// Sealed at the post with its audit key (a keyed MAC the centre cannot
    /// recompute: it checks the link only); `false`, hashed, for entries
    /// before the post's seal and from posts before the seal existed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sealed: bool,
}

/// A supervisor's clearance (see [`crate::Clearance`]), as made where it
/// was cleared. `origin` is empty in a push (the centre sets the pushing
/// post) and names where it was made in a pull (empty: the centre).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClearanceItem {
    pub uid: String,
    pub document_number: String,
    pub issuing_state: String,
    pub list_name: String,
    pub entry_id: String,
    pub list_version: i64,
    pub entry_hash: String,
    pub reason: String,
    pub user: UserRef,
    pub post: String,
    pub cleared_at: String,
    pub expires_at: String,
    #[serde(default)]
    pub origin: String,
}

/// A clearance's revocation; `clearance` is the clearance's uid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationItem {
    pub uid: String,
    pub clearance: String,
    pub reason: String,
    pub user: UserRef,
    pub at: String,
    #[serde(default)]
    pub origin: String,
}

/// Clearances and revocations the centre holds that a post has not pulled
/// yet (made at the centre or at other posts), and how far they go.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClearanceDelta {
    pub clearances: Vec<ClearanceItem>,
    pub revocations: Vec<RevocationItem>,
    /// The centre's last clearance id in this answer (ask after it next).
    pub clearances_to: i64,
    pub revocations_to: i64,
}

/// The most clearances (and revocations) in one pull answer.
pub const MAX_CLEARANCES_PULLED: i64 = 5_000;

/// A record of any kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum SyncRecord {
    Crossing(Box<CrossingItem>),
    Inspection(InspectionItem),
    Hit(HitItem),
    Adjudication(AdjudicationItem),
    Decision(DecisionItem),
    Referral(ReferralItem),
    Audit(AuditItem),
    Clearance(ClearanceItem),
    ClearanceRevocation(RevocationItem),
}

impl SyncRecord {
    /// The crossing a record belongs to (none for adjudications, which
    /// name their hit, and audit entries).
    pub fn crossing_id(&self) -> Option<&str> {
        match self {
            SyncRecord::Crossing(c) => Some(&c.record.crossing_id),
            SyncRecord::Inspection(i) => Some(&i.crossing_id),
            SyncRecord::Hit(h) => Some(&h.crossing_id),
            SyncRecord::Decision(d) => Some(&d.crossing_id),
            SyncRecord::Referral(r) => Some(&r.crossing_id),
            SyncRecord::Adjudication(_)
            | SyncRecord::Audit(_)
            | SyncRecord::Clearance(_)
            | SyncRecord::ClearanceRevocation(_) => None,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            SyncRecord::Crossing(_) => "crossing",
            SyncRecord::Inspection(_) => "inspection",
            SyncRecord::Hit(_) => "hit",
            SyncRecord::Adjudication(_) => "adjudication",
            SyncRecord::Decision(_) => "decision",
            SyncRecord::Referral(_) => "referral",
            SyncRecord::Audit(_) => "audit",
            SyncRecord::Clearance(_) => "clearance",
            SyncRecord::ClearanceRevocation(_) => "clearance_revocation",
        }
    }
}

/// One queued record: its place in the post's queue and its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxItem {
    pub seq: i64,
    pub uid: String,
    pub record: SyncRecord,
}

/// What a post sends: its queue from some point, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushBatch {
    pub protocol: u32,
    pub items: Vec<OutboxItem>,
    /// The post's audit head when it pushed (its anchor): the centre keeps
    /// the latest and flags a post whose chain went backwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<AuditHead>,
}

/// An audit chain's head: its last entry's sequence number and hash (hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
}

/// The centre's answer to a push.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushOutcome {
    /// Records applied now.
    pub applied: u64,
    /// Records the centre already had (pushed before, acknowledgement lost).
    pub duplicates: u64,
    /// The highest `seq` of the batch: everything up to it is stored.
    pub acked_seq: i64,
    /// The post's audit head was behind the one the centre kept, or had
    /// another hash than the entry the centre received at that number: the
    /// post's chain went backwards. The records are taken all the same
    /// (refusing would also stop the post's alert lists); the centre audits
    /// it and `posts list` shows it.
    #[serde(default)]
    pub audit_rewound: bool,
}

/// Why the centre refuses a record: the post's data, not the centre, is at
/// fault (an API answers 422 with this).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("record {seq} ({kind}): {message}")]
pub struct Refused {
    pub seq: i64,
    pub kind: &'static str,
    pub message: String,
}

impl Refused {
    /// The refused record's `seq` from the message a centre answered (this
    /// type's `Display`), when one record — not the whole batch — was at
    /// fault.
    pub fn seq_in(message: &str) -> Option<i64> {
        let rest = message.strip_prefix("record ")?;
        let (seq, rest) = rest.split_once(' ')?;
        if rest.starts_with("(batch)") {
            return None;
        }
        seq.parse().ok().filter(|s| *s > 0)
    }
}

/// The longest text field accepted in a pushed record (the inspection
/// result JSON is the largest).
pub const MAX_FIELD_BYTES: usize = 256 * 1024;
/// The most records in one push.
pub const MAX_BATCH_ITEMS: usize = 5_000;

fn check_time(s: &str) -> Result<(), String> {
    Timestamp::parse(s).map(|_| ()).map_err(|e| e.to_string())
}

fn check_uid(s: &str) -> Result<(), String> {
    if (16..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
        Ok(())
    } else {
        Err(format!("'{}' is not a record id", s.chars().take(64).collect::<String>()))
    }
}

fn check_user(u: &UserRef) -> Result<(), String> {
    crate::check_username(&u.username).map_err(|e| e.to_string())
}

fn hex32(s: &str) -> Result<[u8; 32], String> {
    if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("a hash is 64 hex digits".into());
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

impl PushBatch {
    /// Checks everything that can be checked without the database: the
    /// protocol, sizes, ids, timestamps, hashes, that crossings are the
    /// pushing post's, that `seq` increases. Parsing (serde) already made
    /// every domain value valid.
    pub fn check(&self, post: &str) -> Result<(), Refused> {
        if self.protocol != PROTOCOL {
            return Err(Refused {
                seq: 0,
                kind: "batch",
                message: format!("protocol {} is not {PROTOCOL}", self.protocol),
            });
        }
        if self.items.len() > MAX_BATCH_ITEMS {
            return Err(Refused {
                seq: 0,
                kind: "batch",
                message: format!("{} records; at most {MAX_BATCH_ITEMS} per push", self.items.len()),
            });
        }
        if let Some(h) = &self.head
            && (h.seq < 0 || hex32(&h.hash).is_err())
        {
            return Err(Refused {
                seq: 0,
                kind: "batch",
                message: "head: a seq ≥ 0 and a hash of 64 hex digits".into(),
            });
        }
        let mut last = i64::MIN;
        for item in &self.items {
            let refuse = |message: String| Refused { seq: item.seq, kind: item.record.kind(), message };
            if item.seq <= last || item.seq < 1 {
                return Err(refuse("records must come in increasing order of seq".into()));
            }
            last = item.seq;
            check_uid(&item.uid).map_err(refuse)?;
            item.check_fields(post).map_err(refuse)?;
        }
        Ok(())
    }
}

impl OutboxItem {
    fn check_fields(&self, post: &str) -> Result<(), String> {
        // Text as every other edge checks it (no control characters), so
        // that what one post sends can never fail at the database; JSON
        // held as text must not carry an escaped NUL either (PostgreSQL
        // refuses it in jsonb).
        let long = |s: &str, what: &str| {
            if s.len() > MAX_FIELD_BYTES {
                return Err(format!("{what} is longer than {MAX_FIELD_BYTES} bytes"));
            }
            centinela_domain::check_block(s, MAX_FIELD_BYTES).map_err(|e| format!("{what}: {e}"))?;
            if s.contains("\\u0000") {
                return Err(format!("{what}: holds an escaped NUL character"));
            }
            Ok(())
        };
        let line = |s: &str, what: &str| {
            centinela_domain::check_line(s, centinela_domain::text::MAX_LINE_CHARS).map_err(|e| format!("{what}: {e}"))
        };
        match &self.record {
            SyncRecord::Crossing(c) => {
                if c.record.post != post {
                    return Err(format!("crossing '{}' is not of the pushing post", c.record.crossing_id));
                }
                if !matches!(c.source.as_str(), "import" | "inspection") {
                    return Err(format!("source '{}' is not import or inspection", c.source));
                }
                if let Some(u) = &c.officer {
                    check_user(u)?;
                }
                check_time(&c.recorded_at)?;
                let r = &c.record;
                centinela_domain::check_post_code(&r.post).map_err(|e| e.to_string())?;
                for (what, s) in [
                    ("crossing_id", &r.crossing_id),
                    ("given_names", &r.given_names),
                    ("surnames", &r.surnames),
                    ("document_type", &r.document_type),
                    ("group_id", &r.group_id),
                    ("vehicle", &r.vehicle),
                    ("phone", &r.phone),
                    ("address", &r.address),
                    ("destination", &r.destination),
                ] {
                    line(s, what)?;
                }
            }
            SyncRecord::Inspection(i) => {
                check_user(&i.officer)?;
                check_time(&i.at)?;
                long(&i.result, "result")?;
                serde_json::from_str::<serde_json::Value>(&i.result).map_err(|e| format!("result: {e}"))?;
            }
            SyncRecord::Hit(h) => {
                check_time(&h.created_at)?;
                if !h.score.is_finite() || !(0.0..=1.0).contains(&h.score) {
                    return Err("score is not in [0, 1]".into());
                }
                ListKind::parse(&h.list_kind).map_err(|e| e.to_string())?;
                long(&h.explanation, "explanation")?;
                serde_json::from_str::<serde_json::Value>(&h.explanation).map_err(|e| format!("explanation: {e}"))?;
            }
            SyncRecord::Adjudication(a) => {
                check_uid(&a.hit)?;
                if let Some(c) = &a.corrects {
                    check_uid(c)?;
                }
                check_user(&a.user)?;
                check_time(&a.at)?;
                if a.reason.trim().is_empty() {
                    return Err("an adjudication needs a reason".into());
                }
                long(&a.reason, "reason")?;
            }
            SyncRecord::Decision(d) => {
                check_user(&d.user)?;
                check_time(&d.at)?;
                long(&d.reason, "reason")?;
            }
            SyncRecord::Referral(r) => {
                check_user(&r.user)?;
                check_time(&r.at)?;
                long(&r.reason, "reason")?;
                long(&r.indicators, "indicators")?;
                serde_json::from_str::<serde_json::Value>(&r.indicators).map_err(|e| format!("indicators: {e}"))?;
            }
            SyncRecord::Clearance(c) => {
                if c.post != post {
                    return Err(format!("clearance {} is not of the pushing post", c.uid));
                }
                check_clearance(c)?;
                long(&c.reason, "reason")?;
            }
            SyncRecord::ClearanceRevocation(r) => {
                check_revocation(r)?;
                long(&r.reason, "reason")?;
            }
            SyncRecord::Audit(a) => {
                if a.seq < 1 {
                    return Err("audit seq starts at 1".into());
                }
                hex32(&a.prev_hash)?;
                hex32(&a.hash)?;
                crate::audit::check_entry(&a.actor, &a.action, &a.detail).map_err(|e| e.to_string())?;
                check_time(&a.at)?;
                long(&a.detail, "detail")?;
            }
        }
        Ok(())
    }
}

/// The fields of a clearance anyone may send (a post's push, the centre's
/// pull answer), checked alike.
fn check_clearance(c: &ClearanceItem) -> Result<(), String> {
    check_uid(&c.uid)?;
    check_user(&c.user)?;
    check_time(&c.cleared_at)?;
    check_time(&c.expires_at)?;
    if c.reason.trim().is_empty() {
        return Err("a clearance needs a reason".into());
    }
    if c.entry_hash.len() != 64 || !c.entry_hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("entry_hash: 64 hex digits".into());
    }
    for (what, s) in [
        ("document_number", &c.document_number),
        ("issuing_state", &c.issuing_state),
        ("list_name", &c.list_name),
        ("entry_id", &c.entry_id),
        ("post", &c.post),
        ("origin", &c.origin),
    ] {
        centinela_domain::check_line(s, centinela_domain::text::MAX_LINE_CHARS).map_err(|e| format!("{what}: {e}"))?;
    }
    if c.document_number.is_empty() || c.list_name.is_empty() || c.entry_id.is_empty() {
        return Err("a clearance names a document and a list entry".into());
    }
    centinela_domain::check_block(&c.reason, MAX_FIELD_BYTES).map_err(|e| format!("reason: {e}"))
}

fn check_revocation(r: &RevocationItem) -> Result<(), String> {
    check_uid(&r.uid)?;
    check_uid(&r.clearance)?;
    check_user(&r.user)?;
    check_time(&r.at)?;
    if r.reason.trim().is_empty() {
        return Err("a revocation needs a reason".into());
    }
    centinela_domain::check_line(&r.origin, centinela_domain::text::MAX_LINE_CHARS)
        .map_err(|e| format!("origin: {e}"))?;
    centinela_domain::check_block(&r.reason, MAX_FIELD_BYTES).map_err(|e| format!("reason: {e}"))
}

/// What `centinela sync status` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    /// Records waiting for the centre.
    pub queued: i64,
    /// Records the centre has acknowledged.
    pub sent: i64,
    pub acked_seq: i64,
    pub central: Option<String>,
    pub last_attempt_at: Option<String>,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
    /// The lists held here, with their versions.
    pub lists: BTreeMap<String, i64>,
    /// Records the centre refused, set aside (see `Store::sync_set_aside`).
    pub refused: i64,
}

/// A border post as the centre describes it to posts (no key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostInfo {
    pub code: String,
    pub name: String,
    pub country: String,
    pub facing: String,
    pub kind: String,
    pub revoked: bool,
    /// At the centre: when a push last showed the post's audit chain gone
    /// backwards (see [`PushOutcome::audit_rewound`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_rewound_at: Option<String>,
}

/// What a post asks for: the list versions it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    pub protocol: u32,
    pub lists: BTreeMap<String, i64>,
    /// The centre's last clearance id the post holds (0: none yet).
    #[serde(default)]
    pub clearances_after: i64,
    /// The centre's last revocation id the post holds.
    #[serde(default)]
    pub revocations_after: i64,
    /// The centre's last trust-anchor version the post holds (0: none).
    #[serde(default)]
    pub pki_after: i64,
}

/// A list's change from the version a post holds to the centre's current.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListDelta {
    pub name: String,
    pub kind: ListKind,
    pub source: String,
    /// The post's version this delta starts from (`None`: from nothing).
    pub from_version: Option<i64>,
    pub version: i64,
    /// The whole version, not a change: the post replaces what it has.
    pub full: bool,
    pub entries_added: Vec<AlertEntry>,
    /// Ids of entries removed or changed (a changed entry is also added).
    pub entries_removed: Vec<String>,
    pub documents_added: Vec<DocumentRecord>,
    pub documents_removed: Vec<DocumentRecord>,
}

/// The centre's answer to a pull.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullAnswer {
    pub protocol: u32,
    pub posts: Vec<PostInfo>,
    pub lists: Vec<ListDelta>,
    /// Clearances and revocations made elsewhere since the post's marks.
    #[serde(default)]
    pub clearances: ClearanceDelta,
    /// The chip's trust anchors imported at the centre since the post's mark.
    #[serde(default)]
    pub pki: crate::PkiDelta,
}

/// A post key's standing at the centre.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostKey {
    Valid(String),
    Revoked(String),
    Unknown,
}

type OutboxRow = (i64, String, String, i64);

/// A reported document's identity in a list: every field.
type DocKey = (String, String, String, &'static str, String);

fn doc_key(r: &DocumentRecord) -> DocKey {
    (
        r.document_number.as_str().to_string(),
        r.issuing_state.map(|s| s.as_str().to_string()).unwrap_or_default(),
        r.document_type.clone(),
        r.status.as_str(),
        r.reported_at.clone(),
    )
}

/// Rows per multi-row statement: at most 500 × 22 parameters, well under
/// SQLite's 32 766 and PostgreSQL's 65 535.
const CHUNK: usize = 500;

/// `n` parameters from `$first` for an `IN (…)` list (`?` on SQLite, see
/// [`crate::multirow::values`]).
fn list_params(backend: Backend, first: usize, n: usize) -> String {
    match backend {
        Backend::Sqlite => vec!["?"; n].join(","),
        Backend::Postgres => (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(","),
    }
}

/// The rows of the post's tables behind a slice of the outbox, by kind.
macro_rules! load_records {
    ($conn:expr, $backend:expr, $rows:expr) => {
        async {
            let rows: &[OutboxRow] = $rows;
            let mut by_kind: HashMap<&str, Vec<i64>> = HashMap::new();
            for (_, _, kind, r) in rows {
                by_kind.entry(kind.as_str()).or_default().push(*r);
            }
            let mut found: HashMap<(&'static str, i64), SyncRecord> = HashMap::new();
            let user = |row: &_, u: &str, r: &str| -> Result<Option<UserRef>, StoreError> {
                let name: Option<String> = Row::try_get(row, u)?;
                let role: Option<String> = Row::try_get(row, r)?;
                match (name, role) {
                    (Some(username), Some(role)) => Ok(Some(UserRef {
                        username,
                        role: Role::parse(&role).map_err(|e| StoreError::Corrupt(format!("users.role: {e}")))?,
                    })),
                    _ => Ok(None),
                }
            };
            let need_user = |u: Option<UserRef>, what: &str| {
                u.ok_or_else(|| StoreError::Corrupt(format!("{what}: its user is missing")))
            };
            for (kind, ids) in &by_kind {
                for chunk in ids.chunks(500) {
                    let p = list_params($backend, 1, chunk.len());
                    let sql = match *kind {
                        "crossing" => format!(
                            "SELECT c.id AS rid, {}, u.username AS uname, u.role AS urole FROM crossings c \
                             LEFT JOIN users u ON u.id = c.officer_id WHERE c.id IN ({p})",
                            crate::crossings::CROSSING_COLS_C
                        ),
                        "inspection" => format!(
                            "SELECT i.id AS rid, i.crossing_id, i.suggested, i.result, i.at, u.username AS uname, \
                             u.role AS urole FROM inspections i LEFT JOIN users u ON u.id = i.officer_id \
                             WHERE i.id IN ({p})"
                        ),
                        "hit" => format!(
                            "SELECT h.id AS rid, h.crossing_id, h.kind, h.list_name, h.list_kind, h.list_version, \
                             h.entry_id, h.score, h.action, h.explanation, h.created_at FROM hits h WHERE h.id IN ({p})"
                        ),
                        "adjudication" => format!(
                            "SELECT a.id AS rid, a.decision, a.reason, a.at, oh.uid AS hit_uid, oc.uid AS corrects_uid, \
                             u.username AS uname, u.role AS urole FROM adjudications a \
                             LEFT JOIN sync_outbox oh ON oh.kind = 'hit' AND oh.ref = a.hit_id \
                             LEFT JOIN sync_outbox oc ON oc.kind = 'adjudication' AND oc.ref = a.corrects \
                             LEFT JOIN users u ON u.id = a.user_id WHERE a.id IN ({p})"
                        ),
                        "decision" => format!(
                            "SELECT d.id AS rid, d.crossing_id, d.decision, d.reason, d.at, u.username AS uname, \
                             u.role AS urole FROM decisions d LEFT JOIN users u ON u.id = d.user_id WHERE d.id IN ({p})"
                        ),
                        "referral" => format!(
                            "SELECT r.id AS rid, r.crossing_id, r.unit, r.reason, r.indicators, r.at, u.username AS uname, \
                             u.role AS urole FROM referrals r LEFT JOIN users u ON u.id = r.user_id WHERE r.id IN ({p})"
                        ),
                        "audit" => format!(
                            "SELECT seq AS rid, at, actor, action, subject, detail, prev_hash, hash, \
                             CAST(CASE WHEN seq >= (SELECT start_seq FROM audit_seal) THEN 1 ELSE 0 END AS BIGINT) \
                             AS sealed FROM audit_log WHERE seq IN ({p})"
                        ),
                        "clearance" => format!(
                            "SELECT c.id AS rid, c.uid AS cuid, c.document_number, c.issuing_state, c.list_name, \
                             c.entry_id, c.list_version, c.entry_hash, c.reason, c.cleared_by AS uname, \
                             c.cleared_role AS urole, c.post, c.cleared_at, c.expires_at FROM clearances c \
                             WHERE c.id IN ({p})"
                        ),
                        "clearance_revocation" => format!(
                            "SELECT r.id AS rid, r.uid AS ruid, r.clearance_uid, r.reason, r.revoked_by AS uname, \
                             r.revoked_role AS urole, r.at FROM clearance_revocations r WHERE r.id IN ({p})"
                        ),
                        other => return Err(StoreError::Corrupt(format!("sync_outbox.kind: '{other}'"))),
                    };
                    let mut q = sqlx::query(AssertSqlSafe(sql));
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    for row in q.fetch_all(&mut *$conn).await? {
                        let rid: i64 = row.try_get("rid")?;
                        let t = |c: &str| -> Result<String, StoreError> { Ok(row.try_get::<String, _>(c)?) };
                        let (k, rec) = match *kind {
                            "crossing" => {
                                let c = crate::crossings::crossing_from(&row)?;
                                let item = CrossingItem {
                                    record: c.record,
                                    relation: c.relation,
                                    source: c.source,
                                    officer: user(&row, "uname", "urole")?,
                                    corrects: c.corrects,
                                    recorded_at: c.recorded_at,
                                };
                                ("crossing", SyncRecord::Crossing(Box::new(item)))
                            }
                            "inspection" => ("inspection", SyncRecord::Inspection(InspectionItem {
                                crossing_id: t("crossing_id")?,
                                officer: need_user(user(&row, "uname", "urole")?, "inspection")?,
                                suggested: t("suggested")?,
                                result: t("result")?,
                                at: t("at")?,
                            })),
                            "hit" => ("hit", SyncRecord::Hit(HitItem {
                                crossing_id: t("crossing_id")?,
                                kind: HitKind::parse(&t("kind")?)
                                    .ok_or_else(|| StoreError::Corrupt("a hit of no known kind".into()))?,
                                list_name: t("list_name")?,
                                list_kind: t("list_kind")?,
                                list_version: row.try_get("list_version")?,
                                entry_id: t("entry_id")?,
                                score: row.try_get("score")?,
                                action: t("action")?,
                                explanation: t("explanation")?,
                                created_at: t("created_at")?,
                            })),
                            "adjudication" => {
                                let hit: Option<String> = row.try_get("hit_uid")?;
                                let hit = hit.ok_or_else(|| StoreError::Corrupt(format!("adjudication {rid}: its hit is not queued")))?;
                                let decision: String = t("decision")?;
                                ("adjudication", SyncRecord::Adjudication(AdjudicationItem {
                                    hit,
                                    decision: if decision == "confirmed" { Verdict::Confirmed } else { Verdict::Dismissed },
                                    reason: t("reason")?,
                                    user: need_user(user(&row, "uname", "urole")?, "adjudication")?,
                                    corrects: row.try_get("corrects_uid")?,
                                    at: t("at")?,
                                }))
                            }
                            "decision" => ("decision", SyncRecord::Decision(DecisionItem {
                                crossing_id: t("crossing_id")?,
                                decision: serde_json::from_value(serde_json::Value::String(t("decision")?))
                                    .map_err(|e| StoreError::Corrupt(format!("decisions.decision: {e}")))?,
                                reason: t("reason")?,
                                user: need_user(user(&row, "uname", "urole")?, "decision")?,
                                at: t("at")?,
                            })),
                            "referral" => ("referral", SyncRecord::Referral(ReferralItem {
                                crossing_id: t("crossing_id")?,
                                unit: serde_json::from_value(serde_json::Value::String(t("unit")?))
                                    .map_err(|e| StoreError::Corrupt(format!("referrals.unit: {e}")))?,
                                reason: t("reason")?,
                                indicators: t("indicators")?,
                                user: need_user(user(&row, "uname", "urole")?, "referral")?,
                                at: t("at")?,
                            })),
                            "clearance" => ("clearance", SyncRecord::Clearance(ClearanceItem {
                                uid: t("cuid")?,
                                document_number: t("document_number")?,
                                issuing_state: t("issuing_state")?,
                                list_name: t("list_name")?,
                                entry_id: t("entry_id")?,
                                list_version: row.try_get("list_version")?,
                                entry_hash: t("entry_hash")?,
                                reason: t("reason")?,
                                user: need_user(user(&row, "uname", "urole")?, "clearance")?,
                                post: t("post")?,
                                cleared_at: t("cleared_at")?,
                                expires_at: t("expires_at")?,
                                origin: String::new(),
                            })),
                            "clearance_revocation" => ("clearance_revocation", SyncRecord::ClearanceRevocation(RevocationItem {
                                uid: t("ruid")?,
                                clearance: t("clearance_uid")?,
                                reason: t("reason")?,
                                user: need_user(user(&row, "uname", "urole")?, "clearance revocation")?,
                                at: t("at")?,
                                origin: String::new(),
                            })),
                            _ => {
                                let prev: Vec<u8> = row.try_get("prev_hash")?;
                                let hash: Vec<u8> = row.try_get("hash")?;
                                ("audit", SyncRecord::Audit(AuditItem {
                                    seq: rid,
                                    at: t("at")?,
                                    actor: t("actor")?,
                                    action: t("action")?,
                                    subject: t("subject")?,
                                    detail: t("detail")?,
                                    prev_hash: hex(&prev),
                                    hash: hex(&hash),
                                    sealed: row.try_get::<i64, _>("sealed")? != 0,
                                }))
                            }
                        };
                        found.insert((k, rid), rec);
                    }
                }
            }
            let mut out = Vec::with_capacity(rows.len());
            for (seq, uid, kind, r) in rows {
                let key: &'static str = match kind.as_str() {
                    "crossing" => "crossing",
                    "inspection" => "inspection",
                    "hit" => "hit",
                    "adjudication" => "adjudication",
                    "decision" => "decision",
                    "referral" => "referral",
                    "clearance" => "clearance",
                    "clearance_revocation" => "clearance_revocation",
                    _ => "audit",
                };
                // A row purged by the retention rules before it was sent is
                // gone by law: nothing to send.
                if let Some(record) = found.remove(&(key, *r)) {
                    out.push(OutboxItem { seq: *seq, uid: uid.clone(), record });
                }
            }
            Ok::<_, StoreError>(out)
        }
    };
}

/// A centre user standing for a post's user: `username@POST`, disabled.
macro_rules! shadow_user {
    ($tx:expr, $cache:expr, $post:expr, $u:expr, $now:expr) => {
        async {
            let u: &UserRef = $u;
            let name = format!("{}@{}", u.username, $post);
            if let Some(id) = $cache.get(&name) {
                return Ok::<i64, StoreError>(*id);
            }
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
                .bind(&name)
                .fetch_optional(&mut *$tx)
                .await?;
            let id = match found {
                Some(id) => id,
                None => {
                    sqlx::query_scalar(
                        "INSERT INTO users (username, role, post_code, password_hash, created_at, disabled) \
                         VALUES ($1, $2, $3, '!synced', $4, $5) RETURNING id",
                    )
                    .bind(&name)
                    .bind(u.role.as_str())
                    .bind($post)
                    .bind($now)
                    .bind(true)
                    .fetch_one(&mut *$tx)
                    .await?
                }
            };
            $cache.insert(name, id);
            Ok(id)
        }
    };
}

/// Inserts a clearance that came from elsewhere (`origin`), or finds the
/// one already here with its uid; its row id.
macro_rules! insert_clearance {
    ($tx:expr, $c:expr, $by:expr, $origin:expr) => {
        async {
            let c: &ClearanceItem = $c;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO clearances (uid, document_number, issuing_state, list_name, entry_id, list_version, \
                 entry_hash, reason, cleared_by, cleared_role, post, cleared_at, expires_at, origin) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                 ON CONFLICT (uid) DO NOTHING RETURNING id",
            )
            .bind(&c.uid)
            .bind(&c.document_number)
            .bind(&c.issuing_state)
            .bind(&c.list_name)
            .bind(&c.entry_id)
            .bind(c.list_version)
            .bind(&c.entry_hash)
            .bind(&c.reason)
            .bind($by)
            .bind(c.user.role.as_str())
            .bind(&c.post)
            .bind(&c.cleared_at)
            .bind(&c.expires_at)
            .bind($origin)
            .fetch_optional(&mut *$tx)
            .await?;
            match id {
                Some(id) => Ok::<i64, StoreError>(id),
                None => Ok(sqlx::query_scalar("SELECT id FROM clearances WHERE uid = $1")
                    .bind(&c.uid)
                    .fetch_one(&mut *$tx)
                    .await?),
            }
        }
    };
}

/// Inserts a revocation that came from elsewhere; when its clearance was
/// revoked here already, the first revocation stands and its row is given.
macro_rules! insert_revocation {
    ($tx:expr, $r:expr, $by:expr, $origin:expr) => {
        async {
            let r: &RevocationItem = $r;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO clearance_revocations (uid, clearance_uid, reason, revoked_by, revoked_role, at, origin) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id",
            )
            .bind(&r.uid)
            .bind(&r.clearance)
            .bind(&r.reason)
            .bind($by)
            .bind(r.user.role.as_str())
            .bind(&r.at)
            .bind($origin)
            .fetch_optional(&mut *$tx)
            .await?;
            match id {
                Some(id) => Ok::<i64, StoreError>(id),
                None => Ok(sqlx::query_scalar(
                    "SELECT id FROM clearance_revocations WHERE uid = $1 OR clearance_uid = $2 ORDER BY id LIMIT 1",
                )
                .bind(&r.uid)
                .bind(&r.clearance)
                .fetch_one(&mut *$tx)
                .await?),
            }
        }
    };
}

impl Store {
    /// At the centre: clearances and revocations not made at `post` with
    /// ids after the post's marks, at most [`MAX_CLEARANCES_PULLED`] of
    /// each, oldest first. Audited by the caller (they name travellers'
    /// documents).
    pub async fn clearances_since(
        &self,
        post: &str,
        clearances_after: i64,
        revocations_after: i64,
    ) -> Result<ClearanceDelta, StoreError> {
        let backend = self.backend();
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            if backend == Backend::Postgres {
                // Identity values are drawn before commit: wait for writers
                // in flight so that no lower id commits after a higher one
                // was answered (the post would never ask for it again).
                sqlx::query("LOCK TABLE clearances, clearance_revocations IN SHARE MODE").execute(&mut *tx).await?;
            }
            let rows = sqlx::query(
                "SELECT id, uid, document_number, issuing_state, list_name, entry_id, list_version, entry_hash, \
                 reason, cleared_by, cleared_role, post, cleared_at, expires_at, origin FROM clearances \
                 WHERE id > $1 AND origin <> $2 ORDER BY id LIMIT $3",
            )
            .bind(clearances_after)
            .bind(post)
            .bind(MAX_CLEARANCES_PULLED)
            .fetch_all(&mut *tx)
            .await?;
            let mut out = ClearanceDelta { clearances_to: clearances_after, revocations_to: revocations_after, ..Default::default() };
            for row in &rows {
                let role: String = row.try_get("cleared_role")?;
                out.clearances_to = row.try_get("id")?;
                out.clearances.push(ClearanceItem {
                    uid: row.try_get("uid")?,
                    document_number: row.try_get("document_number")?,
                    issuing_state: row.try_get("issuing_state")?,
                    list_name: row.try_get("list_name")?,
                    entry_id: row.try_get("entry_id")?,
                    list_version: row.try_get("list_version")?,
                    entry_hash: row.try_get("entry_hash")?,
                    reason: row.try_get("reason")?,
                    user: UserRef {
                        username: row.try_get("cleared_by")?,
                        role: Role::parse(&role).map_err(|e| StoreError::Corrupt(format!("clearances.cleared_role: {e}")))?,
                    },
                    post: row.try_get("post")?,
                    cleared_at: row.try_get("cleared_at")?,
                    expires_at: row.try_get("expires_at")?,
                    origin: row.try_get("origin")?,
                });
            }
            // The mark of a post whose own rows were skipped still moves past them.
            if rows.len() < MAX_CLEARANCES_PULLED as usize {
                let last: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM clearances").fetch_one(&mut *tx).await?;
                out.clearances_to = out.clearances_to.max(last.unwrap_or(0));
            }
            let rows = sqlx::query(
                "SELECT id, uid, clearance_uid, reason, revoked_by, revoked_role, at, origin FROM clearance_revocations \
                 WHERE id > $1 AND origin <> $2 ORDER BY id LIMIT $3",
            )
            .bind(revocations_after)
            .bind(post)
            .bind(MAX_CLEARANCES_PULLED)
            .fetch_all(&mut *tx)
            .await?;
            for row in &rows {
                let role: String = row.try_get("revoked_role")?;
                out.revocations_to = row.try_get("id")?;
                out.revocations.push(RevocationItem {
                    uid: row.try_get("uid")?,
                    clearance: row.try_get("clearance_uid")?,
                    reason: row.try_get("reason")?,
                    user: UserRef {
                        username: row.try_get("revoked_by")?,
                        role: Role::parse(&role).map_err(|e| StoreError::Corrupt(format!("clearance_revocations.revoked_role: {e}")))?,
                    },
                    at: row.try_get("at")?,
                    origin: row.try_get("origin")?,
                });
            }
            if rows.len() < MAX_CLEARANCES_PULLED as usize {
                let last: Option<i64> =
                    sqlx::query_scalar("SELECT MAX(id) FROM clearance_revocations").fetch_one(&mut *tx).await?;
                out.revocations_to = out.revocations_to.max(last.unwrap_or(0));
            }
            tx.commit().await?;
            Ok(out)
        })
    }

    /// At a post: the centre's marks of the clearances and revocations
    /// pulled so far.
    pub async fn clearance_marks(&self) -> Result<(i64, i64), StoreError> {
        on_pool!(self, p => {
            Ok(sqlx::query_as("SELECT clearances_pulled, revocations_pulled FROM sync_state WHERE id = 1")
                .fetch_one(p)
                .await?)
        })
    }

    /// At a post: stores what the centre answered (clearances first, then
    /// revocations; ones already here are kept) and moves the marks, in one
    /// transaction. A record that does not pass the checks is skipped (and
    /// counted), never stored. Returns (stored, skipped).
    pub async fn apply_clearances(&self, delta: &ClearanceDelta) -> Result<(u64, u64), StoreError> {
        let backend = self.backend();
        let (mut stored, mut skipped) = (0u64, 0u64);
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            for c in delta.clearances.iter().take(MAX_CLEARANCES_PULLED as usize) {
                if check_clearance(c).is_err() {
                    skipped += 1;
                    continue;
                }
                let origin = if c.origin.is_empty() { "central".to_string() } else { c.origin.clone() };
                let by = if c.origin.is_empty() { format!("{}@central", c.user.username) } else { c.user.username.clone() };
                insert_clearance!(tx, c, &by, &origin).await?;
                stored += 1;
            }
            for r in delta.revocations.iter().take(MAX_CLEARANCES_PULLED as usize) {
                let known: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clearances WHERE uid = $1")
                    .bind(&r.clearance)
                    .fetch_one(&mut *tx)
                    .await?;
                if check_revocation(r).is_err() || known == 0 {
                    skipped += 1;
                    continue;
                }
                let origin = if r.origin.is_empty() { "central".to_string() } else { r.origin.clone() };
                let by = if r.origin.is_empty() {
                    format!("{}@central", r.user.username)
                } else if r.user.username.contains('@') {
                    r.user.username.clone()
                } else {
                    format!("{}@{}", r.user.username, r.origin)
                };
                insert_revocation!(tx, r, &by, &origin).await?;
                stored += 1;
            }
            sqlx::query(
                "UPDATE sync_state SET \
                 clearances_pulled = CASE WHEN clearances_pulled > $1 THEN clearances_pulled ELSE $1 END, \
                 revocations_pulled = CASE WHEN revocations_pulled > $2 THEN revocations_pulled ELSE $2 END WHERE id = 1",
            )
            .bind(delta.clearances_to)
            .bind(delta.revocations_to)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok((stored, skipped))
        })
    }

    /// Up to `limit` queued records past the acknowledged mark, in order.
    pub async fn outbox_pending(&self, limit: usize) -> Result<Vec<OutboxItem>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let backend = self.backend();
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            if backend == Backend::Postgres {
                // Identity values are drawn before commit: wait for writers in
                // flight so that no lower seq can commit after a higher one
                // has been read.
                sqlx::query("LOCK TABLE sync_outbox IN SHARE MODE").execute(&mut *tx).await?;
            }
            loop {
                let rows: Vec<OutboxRow> = sqlx::query_as(
                    "SELECT seq, uid, kind, ref FROM sync_outbox \
                     WHERE seq > (SELECT acked_seq FROM sync_state WHERE id = 1) ORDER BY seq LIMIT $1",
                )
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
                let out = load_records!(tx, backend, &rows).await?;
                match (out.is_empty(), rows.last()) {
                    // Every row of this slice was purged: nothing to send, move on.
                    (true, Some((last, ..))) => {
                        sqlx::query("UPDATE sync_state SET acked_seq = $1 WHERE id = 1")
                            .bind(*last)
                            .execute(&mut *tx)
                            .await?;
                    }
                    _ => {
                        tx.commit().await?;
                        return Ok(out);
                    }
                }
            }
        })
    }

    /// Records that the centre stored everything up to `seq` (never moves
    /// the mark back), and the success.
    pub async fn sync_ack(&self, seq: i64, central: &str) -> Result<(), StoreError> {
        let now = now_rfc3339();
        on_pool!(self, p => {
            sqlx::query(
                "UPDATE sync_state SET acked_seq = CASE WHEN acked_seq > $1 THEN acked_seq ELSE $1 END, \
                 last_attempt_at = $2, last_success_at = $2, last_error = NULL, central = $3 WHERE id = 1",
            )
            .bind(seq)
            .bind(&now)
            .bind(crate::redact(central))
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Sets aside the queued record `seq`, which the centre refused for
    /// `reason`: it is kept (its table, its outbox row, a `sync_refused`
    /// row saying why) and the queue moves past it. Only the record right
    /// after the acknowledged mark can be set aside, so nothing before it
    /// is skipped unsent; anything else is a `Conflict`.
    pub async fn sync_set_aside(&self, seq: i64, reason: &str) -> Result<(), StoreError> {
        let now = now_rfc3339();
        let reason: String = reason.chars().filter(|c| !c.is_control()).take(500).collect();
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let next: Option<(i64, String, String)> = sqlx::query_as(
                "SELECT seq, uid, kind FROM sync_outbox \
                 WHERE seq > (SELECT acked_seq FROM sync_state WHERE id = 1) ORDER BY seq LIMIT 1",
            )
            .fetch_optional(&mut *tx)
            .await?;
            let Some((next, uid, kind)) = next.filter(|n| n.0 == seq) else {
                return Err(StoreError::Conflict(format!("record {seq} is not the next one queued")));
            };
            sqlx::query("INSERT INTO sync_refused (seq, uid, kind, reason, refused_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(next)
                .bind(&uid)
                .bind(&kind)
                .bind(&reason)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE sync_state SET acked_seq = $1 WHERE id = 1").bind(next).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The records set aside because the centre refused them, oldest first:
    /// (seq, uid, kind, reason, when).
    pub async fn sync_refused(&self) -> Result<Vec<(i64, String, String, String, String)>, StoreError> {
        Ok(on_pool!(self, p => {
            sqlx::query_as("SELECT seq, uid, kind, reason, refused_at FROM sync_refused ORDER BY seq")
                .fetch_all(p)
                .await?
        }))
    }

    /// Records the outcome of a cycle: `None` a success, else the error
    /// (shown by `sync status`; never personal data).
    pub async fn sync_attempt(&self, central: &str, error: Option<&str>) -> Result<(), StoreError> {
        let now = now_rfc3339();
        let sql = if error.is_some() {
            "UPDATE sync_state SET last_attempt_at = $1, last_error = $2, central = $3 WHERE id = 1"
        } else {
            "UPDATE sync_state SET last_attempt_at = $1, last_success_at = $1, last_error = $2, central = $3 WHERE id = 1"
        };
        on_pool!(self, p => {
            sqlx::query(sql).bind(&now).bind(error).bind(crate::redact(central)).execute(p).await?;
        });
        Ok(())
    }

    /// What is queued, sent, and the last error.
    pub async fn sync_status(&self) -> Result<SyncStatus, StoreError> {
        type StateRow = (i64, Option<String>, Option<String>, Option<String>, Option<String>);
        let (acked_seq, last_attempt_at, last_success_at, last_error, central): StateRow = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT acked_seq, last_attempt_at, last_success_at, last_error, central FROM sync_state WHERE id = 1",
            )
            .fetch_one(p)
            .await?
        });
        let (queued, sent): (i64, i64) = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT CAST(COALESCE(SUM(CASE WHEN seq > $1 THEN 1 ELSE 0 END), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(CASE WHEN seq <= $1 THEN 1 ELSE 0 END), 0) AS BIGINT) FROM sync_outbox",
            )
            .bind(acked_seq)
            .fetch_one(p)
            .await?
        });
        let refused: i64 = on_pool!(self, p => {
            sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM sync_refused").fetch_one(p).await?
        });
        Ok(SyncStatus {
            queued,
            sent: sent - refused,
            refused,
            acked_seq,
            central,
            last_attempt_at,
            last_success_at,
            last_error,
            lists: self.held_list_versions().await?,
        })
    }

    /// This database's instance id (migration 0008): 32 lower-case hex
    /// digits drawn once, the first part of every outbox uid queued here
    /// (`<instance>-<kind digit>-<ref, 16 hex digits>-<12 random hex digits>`).
    pub async fn sync_instance(&self) -> Result<String, StoreError> {
        Ok(on_pool!(self, p => {
            sqlx::query_scalar("SELECT instance FROM sync_state WHERE id = 1").fetch_one(p).await?
        }))
    }

    /// The current version of every list held here.
    pub async fn held_list_versions(&self) -> Result<BTreeMap<String, i64>, StoreError> {
        Ok(self.lists().await?.into_iter().filter_map(|l| l.version.map(|v| (l.name, v))).collect())
    }

    /// Whose key this is: a post in good standing, a revoked one, or none.
    pub async fn post_key(&self, key: &str) -> Result<PostKey, StoreError> {
        let hash = Sha256::digest(key.trim().as_bytes()).to_vec();
        let found: Option<(String, Option<String>)> = on_pool!(self, p => {
            sqlx::query_as("SELECT code, revoked_at FROM posts WHERE sync_key_hash = $1")
                .bind(&hash)
                .fetch_optional(p)
                .await?
        });
        Ok(match found {
            None => PostKey::Unknown,
            Some((code, None)) => PostKey::Valid(code),
            Some((code, Some(_))) => PostKey::Revoked(code),
        })
    }

    /// Revokes a post's key: the centre refuses it from now on (the post's
    /// records already received stay). Audited.
    pub async fn revoke_post(&self, actor: &str, code: &str) -> Result<(), StoreError> {
        let now = now_rfc3339();
        let backend = self.backend();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let found: Option<Option<String>> = sqlx::query_scalar("SELECT revoked_at FROM posts WHERE code = $1")
                .bind(code)
                .fetch_optional(&mut *tx)
                .await?;
            match found {
                None => return Err(StoreError::NotFound(format!("post '{code}'"))),
                Some(Some(_)) => return Err(StoreError::Conflict(format!("post '{code}' is already revoked"))),
                Some(None) => {}
            }
            sqlx::query("UPDATE posts SET revoked_at = $1 WHERE code = $2").bind(&now).bind(code).execute(&mut *tx).await?;
            append_in_tx!(tx, self, actor, "post_key_revoked", code, "{}").await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Applies a post's batch in one transaction; records already received
    /// are skipped. A record the centre cannot take (a reference it does not
    /// know, a broken audit link) refuses the whole batch.
    ///
    /// Every record is checked first, in the post's order, against what the
    /// centre holds (read in a few statements for the whole batch); then the
    /// rows are written table by table — crossings before what refers to
    /// them —, many rows per statement where nothing later in the batch
    /// needs their ids one by one (crossings, inspections, decisions, audit
    /// entries, the received uids). Within a table rows keep the post's
    /// order, so ids, and with them the arrival order of decisions and
    /// adjudications, are those of applying the records one by one.
    pub async fn apply_push(&self, post: &str, batch: &PushBatch) -> Result<Result<PushOutcome, Refused>, StoreError> {
        if let Err(r) = batch.check(post) {
            return Ok(Err(r));
        }
        let now = now_rfc3339();
        let backend = self.backend();
        let acked_seq = batch.items.last().map_or(0, |i| i.seq);
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            if backend == Backend::Postgres {
                // One writer per post at a time: two pushes of the same post
                // (a retry racing its predecessor) apply in turn.
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))").bind(post).execute(&mut *tx).await?;
            }
            let uids: Vec<&str> = batch.items.iter().map(|i| i.uid.as_str()).collect();
            let mut have: HashSet<String> = HashSet::new();
            for chunk in uids.chunks(CHUNK) {
                let sql = format!("SELECT uid FROM sync_received WHERE uid IN ({})", list_params(backend, 1, chunk.len()));
                let mut q = sqlx::query_scalar::<_, String>(AssertSqlSafe(sql));
                for u in chunk {
                    q = q.bind(*u);
                }
                have.extend(q.fetch_all(&mut *tx).await?);
            }
            // What is new (a uid twice in one batch counts once).
            let mut fresh: Vec<&OutboxItem> = Vec::with_capacity(batch.items.len());
            for item in &batch.items {
                if have.insert(item.uid.clone()) {
                    fresh.push(item);
                }
            }
            let duplicates = (batch.items.len() - fresh.len()) as u64;

            // The crossings the batch refers to that the centre holds: whose
            // they are and their ids.
            let mut wanted: Vec<&str> = fresh.iter().filter_map(|i| i.record.crossing_id()).collect();
            wanted.sort_unstable();
            wanted.dedup();
            let mut crossing: HashMap<String, (String, Option<i64>)> = HashMap::new();
            for chunk in wanted.chunks(CHUNK) {
                let sql =
                    format!(
                    "SELECT crossing_id, post, id FROM crossings WHERE crossing_id IN ({})",
                    list_params(backend, 1, chunk.len())
                );
                let mut q = sqlx::query_as::<_, (String, String, i64)>(AssertSqlSafe(sql));
                for id in chunk {
                    q = q.bind(*id);
                }
                for (id, at, row) in q.fetch_all(&mut *tx).await? {
                    crossing.insert(id, (at, Some(row)));
                }
            }
            // Hits and adjudications of earlier pushes that adjudications
            // refer to.
            let mut refs_wanted: Vec<&str> = Vec::new();
            for i in &fresh {
                if let SyncRecord::Adjudication(a) = &i.record {
                    refs_wanted.push(&a.hit);
                    refs_wanted.extend(a.corrects.as_deref());
                }
            }
            refs_wanted.sort_unstable();
            refs_wanted.dedup();
            let mut received: HashMap<String, (String, i64)> = HashMap::new();
            for chunk in refs_wanted.chunks(CHUNK) {
                let sql = format!(
                    "SELECT uid, kind, ref FROM sync_received WHERE post = {} AND uid IN ({})",
                    list_params(backend, 1, 1),
                    list_params(backend, 2, chunk.len())
                );
                let mut q = sqlx::query_as::<_, (String, String, i64)>(AssertSqlSafe(sql)).bind(post);
                for u in chunk {
                    q = q.bind(*u);
                }
                for (uid, kind, r) in q.fetch_all(&mut *tx).await? {
                    received.insert(uid, (kind, r));
                }
            }

            // 1. Check every record, in order.
            let mut kinds: HashMap<&str, &'static str> = HashMap::new();
            let mut audit_rows: Vec<(&AuditItem, [u8; 32], [u8; 32])> = Vec::new();
            let mut last_audit: Option<(i64, [u8; 32])> = None;
            for item in &fresh {
                let refuse = |message: String| Refused { seq: item.seq, kind: item.record.kind(), message };
                match &item.record {
                    SyncRecord::Crossing(c) => match crossing.get(&c.record.crossing_id) {
                        Some((at, _)) if at != post => {
                            return Ok(Err(refuse(format!("crossing '{}' is another post's", c.record.crossing_id))));
                        }
                        Some(_) => {}
                        None => {
                            crossing.insert(c.record.crossing_id.clone(), (post.to_string(), None));
                        }
                    },
                    SyncRecord::Adjudication(a) => {
                        let is_hit = kinds.get(a.hit.as_str()) == Some(&"hit")
                            || received.get(&a.hit).is_some_and(|(k, _)| k == "hit");
                        if !is_hit {
                            return Ok(Err(refuse(format!("hit {} is unknown here", a.hit))));
                        }
                    }
                    SyncRecord::Clearance(_) => {}
                    SyncRecord::ClearanceRevocation(r) => {
                        let in_batch = fresh.iter().any(|i| matches!(&i.record, SyncRecord::Clearance(c) if c.uid == r.clearance));
                        let known: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clearances WHERE uid = $1")
                            .bind(&r.clearance)
                            .fetch_one(&mut *tx)
                            .await?;
                        if !in_batch && known == 0 {
                            return Ok(Err(refuse(format!("clearance {} is unknown here", r.clearance))));
                        }
                    }
                    SyncRecord::Audit(a) => {
                        let prev_hash = hex32(&a.prev_hash).map_err(StoreError::Conflict)?;
                        let hash = hex32(&a.hash).map_err(StoreError::Conflict)?;
                        let expected_prev: Option<[u8; 32]> = match last_audit {
                            _ if a.seq == 1 => Some(GENESIS),
                            Some((seq, h)) if seq == a.seq - 1 => Some(h),
                            _ => {
                                let h: Option<Vec<u8>> =
                                    sqlx::query_scalar("SELECT hash FROM sync_audit WHERE post = $1 AND seq = $2")
                                        .bind(post)
                                        .bind(a.seq - 1)
                                        .fetch_optional(&mut *tx)
                                        .await?;
                                h.and_then(|h| <[u8; 32]>::try_from(h.as_slice()).ok())
                            }
                        };
                        let Some(expected_prev) = expected_prev else {
                            return Ok(Err(refuse(format!("audit entry {} arrives before entry {}", a.seq, a.seq - 1))));
                        };
                        let sealed =
                            AuditRecord::seal(a.seq, &a.at, &a.actor, &a.action, &a.subject, &a.detail, expected_prev);
                        if prev_hash != expected_prev || (!a.sealed && sealed.hash != hash) {
                            return Ok(Err(refuse(format!("audit entry {} does not continue the post's chain", a.seq))));
                        }
                        last_audit = Some((a.seq, hash));
                        audit_rows.push((a, prev_hash, hash));
                    }
                    other => {
                        let id = other.crossing_id().unwrap_or_default();
                        match crossing.get(id) {
                            Some((at, _)) if at == post => {}
                            Some(_) => return Ok(Err(refuse(format!("crossing '{id}' is another post's")))),
                            None => return Ok(Err(refuse(format!("crossing '{id}' is unknown here")))),
                        }
                    }
                }
                kinds.insert(&item.uid, item.record.kind());
            }

            // 2. Write, table by table. `rows`: the row each uid became.
            let mut rows: HashMap<&str, i64> = HashMap::with_capacity(fresh.len());
            let mut users: HashMap<String, i64> = HashMap::new();
            let of_kind = |k: &'static str| fresh.iter().copied().filter(move |i| i.record.kind() == k);

            let crossings: Vec<(&OutboxItem, &CrossingItem)> = of_kind("crossing")
                .filter_map(|i| match &i.record {
                    SyncRecord::Crossing(c) => Some((i, c.as_ref())),
                    _ => None,
                })
                .collect();
            let mut officers = Vec::with_capacity(crossings.len());
            for (_, c) in &crossings {
                officers.push(match &c.officer {
                    Some(u) => Some(shadow_user!(tx, users, post, u, &now).await?),
                    None => None,
                });
            }
            for (chunk, officers) in crossings.chunks(CHUNK).zip(officers.chunks(CHUNK)) {
                let sql = format!(
                    "INSERT INTO crossings ({}) VALUES {} ON CONFLICT (crossing_id) DO NOTHING RETURNING crossing_id, id",
                    crate::crossings::CROSSING_COLS,
                    crate::multirow::values(backend, chunk.len(), crate::crossings::CROSSING_NCOLS)
                );
                let mut q = sqlx::query_as::<_, (String, i64)>(AssertSqlSafe(sql));
                for ((_, c), officer) in chunk.iter().zip(officers) {
                    for v in crate::crossings::record_texts(&c.record) {
                        q = q.bind(v);
                    }
                    q = q.bind(&c.relation).bind("sync").bind(*officer).bind(&c.corrects).bind(&c.recorded_at);
                }
                for (id, row) in q.fetch_all(&mut *tx).await? {
                    if let Some(entry) = crossing.get_mut(&id) {
                        entry.1 = Some(row);
                    }
                }
            }
            for (item, c) in &crossings {
                let row = crossing.get(&c.record.crossing_id).and_then(|(_, r)| *r).ok_or_else(|| {
                    StoreError::Corrupt(format!("crossing '{}' was neither stored nor found", c.record.crossing_id))
                })?;
                rows.insert(&item.uid, row);
            }

            // Inspections: one per crossing; one already here stands.
            let inspections: Vec<(&OutboxItem, &InspectionItem)> = of_kind("inspection")
                .filter_map(|i| match &i.record {
                    SyncRecord::Inspection(x) => Some((i, x)),
                    _ => None,
                })
                .collect();
            let mut officers = Vec::with_capacity(inspections.len());
            for (_, x) in &inspections {
                officers.push(shadow_user!(tx, users, post, &x.officer, &now).await?);
            }
            let mut inspection_row: HashMap<String, i64> = HashMap::new();
            for (chunk, officers) in inspections.chunks(CHUNK).zip(officers.chunks(CHUNK)) {
                let sql = format!(
                    "INSERT INTO inspections (crossing_id, officer_id, suggested, result, at, origin) VALUES {} \
                     ON CONFLICT (crossing_id) DO NOTHING RETURNING crossing_id, id",
                    crate::multirow::values(backend, chunk.len(), 6)
                );
                let mut q = sqlx::query_as::<_, (String, i64)>(AssertSqlSafe(sql));
                for ((_, x), officer) in chunk.iter().zip(officers) {
                    q = q.bind(&x.crossing_id).bind(*officer).bind(&x.suggested).bind(&x.result).bind(&x.at).bind(post);
                }
                inspection_row.extend(q.fetch_all(&mut *tx).await?);
                let missing: Vec<&str> = chunk
                    .iter()
                    .map(|(_, x)| x.crossing_id.as_str())
                    .filter(|id| !inspection_row.contains_key(*id))
                    .collect();
                if !missing.is_empty() {
                    let sql =
                        format!(
                            "SELECT crossing_id, id FROM inspections WHERE crossing_id IN ({})",
                            list_params(backend, 1, missing.len())
                        );
                    let mut q = sqlx::query_as::<_, (String, i64)>(AssertSqlSafe(sql));
                    for id in missing {
                        q = q.bind(id);
                    }
                    inspection_row.extend(q.fetch_all(&mut *tx).await?);
                }
            }
            for (item, x) in &inspections {
                let row = inspection_row.get(&x.crossing_id).copied().ok_or_else(|| {
                    StoreError::Corrupt(format!("the inspection of '{}' was neither stored nor found", x.crossing_id))
                })?;
                rows.insert(&item.uid, row);
            }

            // Hits, then adjudications, one by one: an adjudication needs its
            // hit's id, a correction the id of the adjudication it corrects.
            for item in of_kind("hit") {
                let SyncRecord::Hit(h) = &item.record else { continue };
                let row: i64 = sqlx::query_scalar(
                    "INSERT INTO hits (crossing_id, kind, list_name, list_kind, entry_id, score, action, \
                     explanation, created_at, list_version, origin) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                )
                .bind(&h.crossing_id)
                .bind(h.kind.as_str())
                .bind(&h.list_name)
                .bind(&h.list_kind)
                .bind(&h.entry_id)
                .bind(h.score)
                .bind(&h.action)
                .bind(&h.explanation)
                .bind(&h.created_at)
                .bind(h.list_version)
                .bind(post)
                .fetch_one(&mut *tx)
                .await?;
                rows.insert(&item.uid, row);
            }
            for item in of_kind("adjudication") {
                let SyncRecord::Adjudication(a) = &item.record else { continue };
                let find = |uid: &str, kind: &str| {
                    rows.get(uid)
                        .copied()
                        .filter(|_| kinds.get(uid) == Some(&kind))
                        .or_else(|| received.get(uid).filter(|(k, _)| k == kind).map(|(_, r)| *r))
                };
                let hit = find(&a.hit, "hit")
                    .ok_or_else(|| StoreError::Corrupt(format!("hit {} was checked but not stored", a.hit)))?;
                let corrects = a.corrects.as_deref().and_then(|c| find(c, "adjudication"));
                let user = shadow_user!(tx, users, post, &a.user, &now).await?;
                let row: i64 = sqlx::query_scalar(
                    "INSERT INTO adjudications (hit_id, decision, reason, user_id, corrects, at, origin) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(hit)
                .bind(a.decision.as_str())
                .bind(&a.reason)
                .bind(user)
                .bind(corrects)
                .bind(&a.at)
                .bind(post)
                .fetch_one(&mut *tx)
                .await?;
                rows.insert(&item.uid, row);
            }

            // Decisions, many per statement: their ids come back in the
            // order given (rows are numbered as they are inserted).
            let decisions: Vec<(&OutboxItem, &DecisionItem)> = of_kind("decision")
                .filter_map(|i| match &i.record {
                    SyncRecord::Decision(d) => Some((i, d)),
                    _ => None,
                })
                .collect();
            let mut deciders = Vec::with_capacity(decisions.len());
            for (_, d) in &decisions {
                deciders.push(shadow_user!(tx, users, post, &d.user, &now).await?);
            }
            for (chunk, deciders) in decisions.chunks(CHUNK).zip(deciders.chunks(CHUNK)) {
                let sql = format!(
                    "INSERT INTO decisions (crossing_id, decision, reason, user_id, at, origin) VALUES {} RETURNING id",
                    crate::multirow::values(backend, chunk.len(), 6)
                );
                let mut q = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql));
                for ((_, d), user) in chunk.iter().zip(deciders) {
                    q = q.bind(&d.crossing_id).bind(d.decision.as_str()).bind(&d.reason).bind(*user).bind(&d.at).bind(post);
                }
                let mut ids = q.fetch_all(&mut *tx).await?;
                ids.sort_unstable();
                if ids.len() != chunk.len() {
                    return Err(StoreError::Corrupt(format!("{} decisions stored of {}", ids.len(), chunk.len())));
                }
                for ((item, _), row) in chunk.iter().zip(ids) {
                    rows.insert(&item.uid, row);
                }
            }

            for item in of_kind("referral") {
                let SyncRecord::Referral(r) = &item.record else { continue };
                let user = shadow_user!(tx, users, post, &r.user, &now).await?;
                let row: i64 = sqlx::query_scalar(
                    "INSERT INTO referrals (crossing_id, unit, reason, user_id, at, origin, indicators) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(&r.crossing_id)
                .bind(r.unit.as_str())
                .bind(&r.reason)
                .bind(user)
                .bind(&r.at)
                .bind(post)
                .bind(&r.indicators)
                .fetch_one(&mut *tx)
                .await?;
                rows.insert(&item.uid, row);
            }

            // Clearances, then their revocations (a revocation may follow
            // its clearance in the same batch). One already here stands: the
            // row it is stays the one the uid names.
            for item in of_kind("clearance") {
                let SyncRecord::Clearance(c) = &item.record else { continue };
                let by = format!("{}@{post}", c.user.username);
                let row = insert_clearance!(tx, c, &by, post).await?;
                rows.insert(&item.uid, row);
            }
            for item in of_kind("clearance_revocation") {
                let SyncRecord::ClearanceRevocation(r) = &item.record else { continue };
                let by = format!("{}@{post}", r.user.username);
                let row = insert_revocation!(tx, r, &by, post).await?;
                rows.insert(&item.uid, row);
            }

            for chunk in audit_rows.chunks(CHUNK) {
                let sql = format!(
                    "INSERT INTO sync_audit (post, seq, at, actor, action, subject, detail, prev_hash, hash, sealed) \
                     VALUES {}",
                    crate::multirow::values(backend, chunk.len(), 10)
                );
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for (a, prev_hash, hash) in chunk {
                    q = q
                        .bind(post)
                        .bind(a.seq)
                        .bind(&a.at)
                        .bind(&a.actor)
                        .bind(&a.action)
                        .bind(&a.subject)
                        .bind(&a.detail)
                        .bind(&prev_hash[..])
                        .bind(&hash[..])
                        .bind(i64::from(a.sealed));
                }
                q.execute(&mut *tx).await?;
            }
            for (item, (a, _, _)) in of_kind("audit").zip(&audit_rows) {
                rows.insert(&item.uid, a.seq);
            }

            for chunk in fresh.chunks(CHUNK) {
                let sql = format!(
                    "INSERT INTO sync_received (uid, post, kind, ref, post_seq, received_at) VALUES {}",
                    crate::multirow::values(backend, chunk.len(), 6)
                );
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for item in chunk {
                    let row = rows.get(item.uid.as_str()).copied().ok_or_else(|| {
                        StoreError::Corrupt(format!("record {} ({}) was not stored", item.seq, item.record.kind()))
                    })?;
                    q = q.bind(&item.uid).bind(post).bind(item.record.kind()).bind(row).bind(item.seq).bind(&now);
                }
                q.execute(&mut *tx).await?;
            }
            let applied = fresh.len() as u64;
            // The post's head against the anchor kept and the entries
            // received (after this batch's, which may reach it).
            let mut audit_rewound = false;
            if let Some(h) = &batch.head {
                let hash = hex32(&h.hash).map_err(StoreError::Conflict)?;
                let kept: Option<(i64, Vec<u8>)> =
                    sqlx::query_as("SELECT seq, hash FROM post_anchors WHERE post = $1")
                        .bind(post)
                        .fetch_optional(&mut *tx)
                        .await?;
                let received: Option<Vec<u8>> =
                    sqlx::query_scalar("SELECT hash FROM sync_audit WHERE post = $1 AND seq = $2")
                        .bind(post)
                        .bind(h.seq)
                        .fetch_optional(&mut *tx)
                        .await?;
                let behind = kept.as_ref().is_some_and(|(s, k)| *s > h.seq || (*s == h.seq && k.as_slice() != hash));
                let other = received.is_some_and(|r| r.as_slice() != hash);
                if behind || other {
                    audit_rewound = true;
                    sqlx::query(
                        "INSERT INTO post_anchors (post, seq, hash, at, rewound_at, rewound_seq) \
                         VALUES ($1, $2, $3, $4, $4, $2) ON CONFLICT (post) DO UPDATE \
                         SET rewound_at = excluded.rewound_at, rewound_seq = excluded.rewound_seq",
                    )
                    .bind(post)
                    .bind(h.seq)
                    .bind(&hash[..])
                    .bind(&now)
                    .execute(&mut *tx)
                    .await?;
                    let detail = serde_json::json!({
                        "anchor_seq": kept.as_ref().map(|k| k.0),
                        "head_seq": h.seq,
                        "other_hash": other,
                    })
                    .to_string();
                    append_in_tx!(tx, self, format!("post:{post}"), "post_audit_rewound", post, &detail).await?;
                    tracing::warn!(post, anchor = kept.as_ref().map(|k| k.0), head = h.seq, "a post's audit chain went backwards");
                } else {
                    sqlx::query(
                        "INSERT INTO post_anchors (post, seq, hash, at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (post) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at",
                    )
                    .bind(post)
                    .bind(h.seq)
                    .bind(&hash[..])
                    .bind(&now)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            let detail = serde_json::json!({
                "applied": applied,
                "duplicates": duplicates,
                "first_seq": batch.items.first().map(|i| i.seq),
                "last_seq": acked_seq,
                "head_seq": batch.head.as_ref().map(|h| h.seq),
            })
            .to_string();
            append_in_tx!(tx, self, format!("post:{post}"), "sync_push_applied", post, &detail).await?;
            tx.commit().await?;
            Ok(Ok(PushOutcome { applied, duplicates, acked_seq, audit_rewound }))
        })
    }

    /// How many records the centre holds from `post`, by kind.
    pub async fn received_counts(&self, post: &str) -> Result<BTreeMap<String, i64>, StoreError> {
        let rows: Vec<(String, i64)> = on_pool!(self, p => {
            sqlx::query_as("SELECT kind, COUNT(*) FROM sync_received WHERE post = $1 GROUP BY kind")
                .bind(post)
                .fetch_all(p)
                .await?
        });
        Ok(rows.into_iter().collect())
    }

    /// Recomputes a post's audit chain as the centre received it: the
    /// number of entries when intact. Entries the post sealed with its key
    /// are checked for sequence and link (the centre has no post's key).
    pub async fn synced_audit_verify(&self, post: &str) -> Result<Result<u64, i64>, StoreError> {
        type Row = (i64, String, String, String, String, String, Vec<u8>, Vec<u8>, i64);
        let rows: Vec<Row> = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT seq, at, actor, action, subject, detail, prev_hash, hash, sealed FROM sync_audit \
                 WHERE post = $1 ORDER BY seq",
            )
            .bind(post)
            .fetch_all(p)
            .await?
        });
        let mut prev = GENESIS;
        for (i, (seq, at, actor, action, subject, detail, prev_hash, hash, keyed)) in rows.iter().enumerate() {
            let hashed = AuditRecord::seal(*seq, at, actor, action, subject, detail, prev);
            let hash_ok = *keyed != 0 || hash.as_slice() == hashed.hash;
            if *seq != i as i64 + 1 || prev_hash.as_slice() != prev || !hash_ok {
                return Ok(Err(*seq));
            }
            prev = <[u8; 32]>::try_from(hash.as_slice()).map_err(|_| StoreError::Corrupt("sync_audit.hash".into()))?;
        }
        Ok(Ok(rows.len() as u64))
    }

    /// Every post, for the posts' own tables.
    pub async fn post_infos(&self) -> Result<Vec<PostInfo>, StoreError> {
        type Row = (String, String, String, String, String, Option<String>, Option<String>);
        let rows: Vec<Row> = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT code, name, country, facing, kind, revoked_at, a.rewound_at FROM posts \
                 LEFT JOIN post_anchors a ON a.post = posts.code ORDER BY code",
            )
            .fetch_all(p)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(code, name, country, facing, kind, revoked, audit_rewound_at)| PostInfo {
                code,
                name,
                country,
                facing,
                kind,
                revoked: revoked.is_some(),
                audit_rewound_at,
            })
            .collect())
    }

    /// Adds the posts this database does not know (as the centre describes
    /// them; a post's key stays at the centre). Returns how many were new.
    pub async fn merge_posts(&self, posts: &[PostInfo]) -> Result<u64, StoreError> {
        let now = now_rfc3339();
        let mut added = 0;
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            for post in posts {
                crate::check_post_code(&post.code)?;
                // No key hashes to 32 zero bytes: this row admits no post.
                added += sqlx::query(
                    "INSERT INTO posts (code, name, country, facing, kind, sync_key_hash, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO NOTHING",
                )
                .bind(&post.code)
                .bind(&post.name)
                .bind(&post.country)
                .bind(&post.facing)
                .bind(&post.kind)
                .bind(&[0u8; 32][..])
                .bind(&now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
        });
        Ok(added)
    }

    /// For each active list here, what a post holding `held` needs: nothing
    /// when it is current, else the entries added and removed since its
    /// version (or the whole version when its version's rows are gone).
    pub async fn list_deltas(&self, held: &BTreeMap<String, i64>) -> Result<Vec<ListDelta>, StoreError> {
        let mut out = Vec::new();
        for list in self.lists().await? {
            let Some(version) = list.version else { continue };
            if !list.active {
                continue;
            }
            let from = held.get(&list.name).copied();
            if from == Some(version) {
                continue;
            }
            let Some((kind, current)) = self.version_rows(&list.name, version).await? else {
                continue;
            };
            let old = match from {
                Some(v) if v < version => self.version_rows(&list.name, v).await?,
                _ => None,
            };
            let mut d = ListDelta {
                name: list.name.clone(),
                kind,
                source: list.source.clone(),
                from_version: from,
                version,
                full: old.is_none(),
                entries_added: Vec::new(),
                entries_removed: Vec::new(),
                documents_added: Vec::new(),
                documents_removed: Vec::new(),
            };
            match (current, old) {
                (ListRows::Entries(cur), None) => d.entries_added = cur,
                (ListRows::Documents(cur), None) => d.documents_added = cur,
                (ListRows::Entries(cur), Some((_, ListRows::Entries(old)))) => {
                    let old: HashMap<&str, &AlertEntry> = old.iter().map(|e| (e.id.as_str(), e)).collect();
                    let cur_by_id: HashMap<&str, &AlertEntry> = cur.iter().map(|e| (e.id.as_str(), e)).collect();
                    // Gone or changed: removed (a changed entry comes back as added).
                    for (id, e) in &old {
                        if cur_by_id.get(id) != Some(e) {
                            d.entries_removed.push((*id).to_string());
                        }
                    }
                    d.entries_removed.sort();
                    d.entries_added = cur.into_iter().filter(|c| old.get(c.id.as_str()) != Some(&c)).collect();
                }
                (ListRows::Documents(cur), Some((_, ListRows::Documents(old)))) => {
                    let cur_set: HashSet<DocKey> = cur.iter().map(doc_key).collect();
                    let old_set: HashSet<DocKey> = old.iter().map(doc_key).collect();
                    d.documents_removed = old.into_iter().filter(|o| !cur_set.contains(&doc_key(o))).collect();
                    d.documents_added = cur.into_iter().filter(|c| !old_set.contains(&doc_key(c))).collect();
                }
                (cur, Some(_)) => {
                    d.full = true;
                    match cur {
                        ListRows::Entries(c) => d.entries_added = c,
                        ListRows::Documents(c) => d.documents_added = c,
                    }
                }
            }
            out.push(d);
        }
        Ok(out)
    }

    /// Installs the centre's version of a list from a delta, under the
    /// centre's version number, all or nothing. A delta that does not start
    /// from the version held here is refused (the next pull sends another).
    pub async fn apply_list_delta(&self, d: &ListDelta) -> Result<usize, StoreError> {
        let held = self.held_list_versions().await?.get(&d.name).copied();
        let rows = if d.full {
            if d.kind == ListKind::Documents {
                ListRows::Documents(d.documents_added.clone())
            } else {
                ListRows::Entries(d.entries_added.clone())
            }
        } else {
            if held != d.from_version {
                return Err(StoreError::Conflict(format!(
                    "list '{}': the delta starts from version {:?}, this post holds {:?}",
                    d.name, d.from_version, held
                )));
            }
            let base = match held {
                Some(v) => self.version_rows(&d.name, v).await?,
                None => None,
            };
            match base {
                Some((_, ListRows::Entries(old))) => {
                    let removed: HashSet<&str> = d.entries_removed.iter().map(String::as_str).collect();
                    let mut rows: Vec<AlertEntry> =
                        old.into_iter().filter(|e| !removed.contains(e.id.as_str())).collect();
                    rows.extend(d.entries_added.iter().cloned());
                    ListRows::Entries(rows)
                }
                Some((_, ListRows::Documents(old))) => {
                    let removed: HashSet<DocKey> = d.documents_removed.iter().map(doc_key).collect();
                    let mut rows: Vec<DocumentRecord> =
                        old.into_iter().filter(|r| !removed.contains(&doc_key(r))).collect();
                    rows.extend(d.documents_added.iter().cloned());
                    ListRows::Documents(rows)
                }
                None => {
                    return Err(StoreError::Conflict(format!(
                        "list '{}': version {:?} is not stored here",
                        d.name, d.from_version
                    )));
                }
            }
        };
        let n = rows.len();
        let v = NewVersion {
            list: &d.name,
            kind: d.kind,
            source: Some(&d.source),
            file_name: "sync",
            format: "sync",
            rows_read: n as u64,
            rows_skipped: 0,
            keep_old_versions: false,
        };
        self.write_version(&v, &rows, Some(d.version), &mut |_| Box::pin(async {})).await?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refused_record_is_read_back_from_the_message() {
        let one = Refused { seq: 42, kind: "crossing", message: "given_names: character 4 (U+0000)".into() };
        assert_eq!(Refused::seq_in(&one.to_string()), Some(42));
        let batch = Refused { seq: 0, kind: "batch", message: "protocol 9 is not 1".into() };
        assert_eq!(Refused::seq_in(&batch.to_string()), None);
        assert_eq!(Refused::seq_in("the centre answered 500"), None);
    }

    #[test]
    fn hex_round_trip() {
        let h = [7u8; 32];
        assert_eq!(hex32(&hex(&h)).unwrap(), h);
        assert!(hex32("zz").is_err());
        assert!(hex32(&"g".repeat(64)).is_err());
    }

    #[test]
    fn batch_order_and_protocol_are_checked() {
        let a = AuditItem {
            seq: 1,
            at: "2026-01-01T00:00:00Z".into(),
            actor: "system".into(),
            action: "x".into(),
            subject: "s".into(),
            detail: "{}".into(),
            prev_hash: hex(&GENESIS),
            hash: hex(&GENESIS),
            sealed: false,
        };
        let item = |seq| OutboxItem { seq, uid: format!("{seq:032x}"), record: SyncRecord::Audit(a.clone()) };
        let ok = PushBatch { protocol: PROTOCOL, items: vec![item(1), item(2)], head: None };
        assert!(ok.check("P").is_ok());
        let bad = PushBatch { protocol: PROTOCOL, items: vec![item(2), item(1)], head: None };
        assert_eq!(bad.check("P").unwrap_err().seq, 1);
        let old = PushBatch { protocol: 0, items: vec![], head: None };
        assert!(old.check("P").is_err());
    }

    #[test]
    fn record_ids_of_both_forms_are_accepted() {
        // 0007's random ids and 0008's ordered ones.
        assert!(check_uid("3f9c0d1e2b4a59687f00112233445566").is_ok());
        assert!(check_uid("3f9c0d1e2b4a59687f00112233445566-1-00000000000004d2-9c0e51a7b3d2").is_ok());
        assert!(check_uid(&format!("{}-7-{:016x}-{}", "f".repeat(32), i64::MAX, "f".repeat(12))).is_ok());
        for bad in ["", "abc", "3f9c0d1e2b4a5968-1-0000000000x004d2", "3f9c0d1e2b4a5968 1", &"a".repeat(65)] {
            assert!(check_uid(bad).is_err(), "{bad}");
        }
    }
}
