//! The synchronisation protocol's messages: what a post pushes (its outbox
//! records), what it pulls (list deltas, clearances, trust anchors) and
//! what the centre answers. Serde types only; checked in `check`, applied
//! in `push` and `deltas`.

use super::*;

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

/// A document the centre extended a clearance to (see
/// [`crate::ClearanceDocument`]); `clearance` is the clearance's uid.
/// Made only at the centre: `origin` is empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClearanceDocumentItem {
    pub uid: String,
    pub clearance: String,
    pub document_number: String,
    pub issuing_state: String,
    pub person: String,
    pub evidence: String,
    pub added_by: String,
    pub added_at: String,
}

/// Clearances and revocations the centre holds that a post has not pulled
/// yet (made at the centre or at other posts), the documents the centre
/// extended clearances to, and how far they go.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClearanceDelta {
    pub clearances: Vec<ClearanceItem>,
    pub revocations: Vec<RevocationItem>,
    /// The centre's last clearance id in this answer (ask after it next).
    pub clearances_to: i64,
    pub revocations_to: i64,
    /// Documents clearances were extended to (issue 19: a clearance follows
    /// the person), only of clearances up to `clearances_to`.
    #[serde(default)]
    pub documents: Vec<ClearanceDocumentItem>,
    #[serde(default)]
    pub documents_to: i64,
}

/// The most clearances (and revocations) in one pull answer.
pub const MAX_CLEARANCES_PULLED: i64 = 5_000;

/// A lookout's hit of one traveller at the post (see
/// [`crate::NewLookoutHit`]): pushed so that the lookout's issuer at the
/// centre is told of it. The post is the pushing post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LookoutHitItem {
    pub lookout_uid: String,
    pub crossing_id: String,
    /// The subject's kind: `person`, `document`, `vehicle`, `phone`.
    pub kind: String,
    pub score: f64,
    pub at: String,
}

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
    LookoutHit(LookoutHitItem),
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
            SyncRecord::LookoutHit(h) => Some(&h.crossing_id),
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
            SyncRecord::LookoutHit(_) => "lookout_hit",
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The centre's ids of the lookout hits this push stored (not sent:
    /// the centre tells the lookouts' issuers of them).
    #[serde(skip)]
    pub lookout_hits: Vec<i64>,
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
    /// The centre's last list image (`seq`) the post holds (0: none).
    #[serde(default)]
    pub images_after: i64,
    /// The centre's last clearance extension id the post holds.
    #[serde(default)]
    pub clearance_documents_after: i64,
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
    /// When the centre last refreshed each list the post holds from its
    /// source, and how old it may grow: a post's freshness warning follows
    /// the centre's, not when the post last pulled.
    #[serde(default)]
    pub freshness: Vec<ListFreshness>,
    /// The notices' thumbnails written since the post's mark, bounded
    /// (`more`: the next pull brings the rest).
    #[serde(default)]
    pub images: crate::ListImageDelta,
}

/// A list's freshness at the centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListFreshness {
    pub name: String,
    /// RFC 3339; `None`: never confirmed against a source.
    pub refreshed_at: Option<String>,
    pub max_age_hours: Option<i64>,
}

/// A post key's standing at the centre.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostKey {
    Valid(String),
    Revoked(String),
    Unknown,
}
