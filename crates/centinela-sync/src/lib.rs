//! A border post's side of synchronisation with the centre.
//!
//! [`cycle`] runs one push/pull cycle: it pushes the post's queue
//! (`centinela-store`'s outbox) batch by batch, moving the acknowledged mark
//! only after the centre's 2xx — a post killed at any point loses nothing
//! and the centre ignores what it already has — then pulls the border posts
//! and the alert-list changes since the versions the post holds, and records
//! the outcome for `centinela sync status`. [`background`] repeats it for a
//! serving post, with exponential backoff while the centre is unreachable.
//!
//! The centre's side is `centinela-server`'s `/api/sync/push` and
//! `/api/sync/pull`, authenticated by the post key as a bearer token.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use centinela_store::{
    AuditHead, LookoutsAnswer, LookoutsPull, PROTOCOL, PullAnswer, PullRequest, PushBatch, PushOutcome, Refused, Store,
    StoreError,
};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Where the centre is and how to talk to it.
#[derive(Clone)]
pub struct Config {
    /// The centre's base URL, e.g. `https://centinela.example.gob`.
    pub central: String,
    /// This post's sync key (printed by `centinela posts add` at the centre).
    /// Never printed: `Debug` leaves it out.
    pub post_key: String,
    /// Records per push.
    pub batch: usize,
    /// The longest a request may take.
    pub timeout: Duration,
    /// The certificate authorities trusted for the centre's HTTPS
    /// certificate. Empty: the system's (public) ones; otherwise only these
    /// — a private CA of the deployment, see [`Config::with_ca_file`].
    pub ca_certs: Vec<reqwest::Certificate>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("central", &self.central)
            .field("post_key", &"<secret>")
            .field("batch", &self.batch)
            .field("timeout", &self.timeout)
            .field("ca_certs", &self.ca_certs.len())
            .finish()
    }
}

impl Config {
    pub fn new(central: &str, post_key: &str) -> Config {
        Config {
            central: central.trim_end_matches('/').to_string(),
            post_key: post_key.trim().to_string(),
            batch: 500,
            timeout: Duration::from_secs(120),
            ca_certs: Vec::new(),
        }
    }

    /// Trusts only the certificate authorities in the PEM file `path` (one
    /// or more `CERTIFICATE` blocks) for the centre's certificate, instead
    /// of the system's public ones.
    pub fn with_ca_file(mut self, path: &Path) -> Result<Config, SyncError> {
        let bad = |reason: String| SyncError::CaFile { path: path.to_path_buf(), reason };
        let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
        let ders = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(format!("not valid PEM ({e})")))?;
        if ders.is_empty() {
            return Err(bad("no PEM certificate in it (-----BEGIN CERTIFICATE-----)".into()));
        }
        for der in ders {
            let cert = reqwest::Certificate::from_der(&der).map_err(|e| bad(e.to_string()))?;
            self.ca_certs.push(cert);
        }
        Ok(self)
    }
}

/// What one cycle did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CycleReport {
    /// Records sent (applied now or found already at the centre).
    pub pushed: u64,
    pub applied: u64,
    pub duplicates: u64,
    pub batches: u64,
    /// Lists installed, with their new versions.
    pub lists_updated: Vec<(String, i64)>,
    /// Border posts learnt from the centre.
    pub posts_added: u64,
    /// Records the centre refused, set aside at the post.
    pub set_aside: u64,
    /// Clearances, revocations and clearance extensions made elsewhere, stored here.
    pub clearances_pulled: u64,
    /// Trust-anchor versions (the chip's CSCAs and CRLs) installed from the centre.
    pub pki_versions: u64,
    /// Notices' thumbnails stored or removed here.
    pub list_images: u64,
}

impl CycleReport {
    /// Whether the post must reload what it holds in memory (lists, posts).
    pub fn changed_lists_or_posts(&self) -> bool {
        !self.lists_updated.is_empty() || self.posts_added > 0
    }
}

/// Why a cycle failed. Messages name the centre and the cause, never
/// personal data.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("cannot reach the centre: {0}")]
    Unreachable(String),
    #[error(
        "the centre's TLS certificate is not trusted ({reason}): {url} (give the certificate authority that signed it, e.g. with --ca-cert)"
    )]
    Certificate { url: String, reason: String },
    #[error("cannot use the CA certificate file {}: {reason}", path.display())]
    CaFile { path: PathBuf, reason: String },
    #[error("the centre does not accept this post key: {0}")]
    Unauthenticated(String),
    #[error("the centre has revoked this post's key")]
    Revoked,
    #[error("the centre refused a record: {0}")]
    Refused(String),
    #[error("the centre answered {status}: {message}")]
    Centre { status: u16, message: String },
    #[error("{0}")]
    Store(#[from] StoreError),
}

#[derive(serde::Deserialize)]
struct ErrorBody {
    message: String,
    code: String,
}

/// An HTTP client for one centre.
struct Client {
    http: reqwest::Client,
    cfg: Config,
}

impl Client {
    fn new(cfg: &Config) -> Result<Client, SyncError> {
        let mut http = reqwest::Client::builder().timeout(cfg.timeout).connect_timeout(Duration::from_secs(10));
        if !cfg.ca_certs.is_empty() {
            http = http.tls_certs_only(cfg.ca_certs.iter().cloned());
        }
        let http = http.build().map_err(|e| SyncError::Unreachable(e.to_string()))?;
        Ok(Client { http, cfg: cfg.clone() })
    }

    async fn post<B: Serialize, A: DeserializeOwned>(&self, path: &str, body: &B) -> Result<A, SyncError> {
        let url = format!("{}{path}", self.cfg.central);
        let resp = self.http.post(&url).bearer_auth(&self.cfg.post_key).json(body).send().await.map_err(|e| {
            match certificate_error(&e) {
                Some(reason) => SyncError::Certificate { url: url.clone(), reason },
                None => SyncError::Unreachable(format!("{url}: {}", without_url(&e))),
            }
        })?;
        let status = resp.status();
        if status.is_success() {
            return resp.json::<A>().await.map_err(|e| SyncError::Unreachable(format!("{url}: {}", without_url(&e))));
        }
        let text = resp.text().await.unwrap_or_default();
        let (code, message) = match serde_json::from_str::<ErrorBody>(&text) {
            Ok(b) => (b.code, b.message),
            Err(_) => (String::new(), text.chars().take(200).collect()),
        };
        Err(match (status.as_u16(), code.as_str()) {
            (_, "post_revoked") => SyncError::Revoked,
            (401, _) => SyncError::Unauthenticated(message),
            (422, _) => SyncError::Refused(message),
            (s, _) => SyncError::Centre { status: s, message },
        })
    }
}

/// reqwest's error text without the URL it already names twice.
fn without_url(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    if let Some(u) = e.url() {
        s = s.replace(&format!(" ({u})"), "").replace(u.as_str(), "");
    }
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

/// Why rustls refused the centre's certificate, when it did: the error is
/// somewhere in reqwest's chain, inside I/O errors wrapping one another
/// (whose `source` skips the error they wrap, so each is opened here).
fn certificate_error(e: &reqwest::Error) -> Option<String> {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = src {
        let mut inner: &(dyn std::error::Error + 'static) = err;
        while let Some(wrapped) = inner.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            inner = wrapped;
        }
        if let Some(rustls::Error::InvalidCertificate(c)) = inner.downcast_ref::<rustls::Error>() {
            return Some(certificate_reason(c));
        }
        src = err.source();
    }
    None
}

fn certificate_reason(c: &rustls::CertificateError) -> String {
    use rustls::CertificateError as E;
    match c {
        E::UnknownIssuer => "signed by an unknown certificate authority".into(),
        E::NotValidForName | E::NotValidForNameContext { .. } => "issued for another name".into(),
        E::Expired | E::ExpiredContext { .. } => "expired".into(),
        E::NotValidYet | E::NotValidYetContext { .. } => "not valid yet".into(),
        E::Revoked => "revoked".into(),
        E::BadSignature => "bad signature".into(),
        other => format!("{other:?}"),
    }
}

/// One push/pull cycle; the outcome (success or the error) is recorded in
/// the store for `centinela sync status`.
pub async fn cycle(store: &Store, cfg: &Config) -> Result<CycleReport, SyncError> {
    let result = run(store, cfg).await;
    let error = result.as_ref().err().map(ToString::to_string);
    store.sync_attempt(&cfg.central, error.as_deref()).await?;
    result
}

async fn run(store: &Store, cfg: &Config) -> Result<CycleReport, SyncError> {
    let client = Client::new(cfg)?;
    let mut report = CycleReport::default();
    // Lists are pulled whatever became of the push: a post whose records
    // the centre cannot take still receives every alert.
    let pushed = push(store, cfg, &client, &mut report).await;
    let pulled = pull(store, &client, &mut report).await;
    pushed.and(pulled).map(|()| report)
}

/// Pushes the queue batch by batch. A record the centre refuses (its 422
/// names the record) is set aside at the post — kept, and listed by `sync
/// status` — after the records before it are pushed, and the queue goes on.
async fn push(store: &Store, cfg: &Config, client: &Client, report: &mut CycleReport) -> Result<(), SyncError> {
    loop {
        let mut items = store.outbox_pending(cfg.batch.clamp(1, centinela_store::MAX_BATCH_ITEMS)).await?;
        if items.is_empty() {
            return Ok(());
        }
        let refused = match send(client, store, items.clone(), report).await {
            Ok(()) => continue,
            Err(SyncError::Refused(message)) => match Refused::seq_in(&message) {
                Some(seq) if items.iter().any(|i| i.seq == seq) => (seq, message),
                _ => return Err(SyncError::Refused(message)),
            },
            Err(e) => return Err(e),
        };
        items.retain(|i| i.seq < refused.0);
        if !items.is_empty() {
            send(client, store, items, report).await?;
        }
        store.sync_set_aside(refused.0, &refused.1).await?;
        tracing::warn!(seq = refused.0, "the centre refused a record: set aside, the queue goes on");
        report.set_aside += 1;
    }
}

/// One batch to the centre, acknowledged at the post after its 2xx.
async fn send(
    client: &Client,
    store: &Store,
    items: Vec<centinela_store::OutboxItem>,
    report: &mut CycleReport,
) -> Result<(), SyncError> {
    let n = items.len() as u64;
    let last = items.last().map_or(0, |i| i.seq);
    // The audit head goes along, so the centre keeps the post's latest
    // anchor and sees a chain that went backwards.
    let (seq, hash) = store.audit_head().await?;
    let head = Some(AuditHead { seq, hash: hash.iter().map(|b| format!("{b:02x}")).collect() });
    let outcome: PushOutcome = client.post("/api/sync/push", &PushBatch { protocol: PROTOCOL, items, head }).await?;
    if outcome.audit_rewound {
        tracing::warn!(head = seq, "the centre reports this post's audit chain went backwards");
    }
    if outcome.acked_seq != last {
        return Err(SyncError::Centre {
            status: 200,
            message: format!("acknowledged up to {} for a batch ending at {last}", outcome.acked_seq),
        });
    }
    store.sync_ack(outcome.acked_seq, &client.cfg.central).await?;
    report.pushed += n;
    report.applied += outcome.applied;
    report.duplicates += outcome.duplicates;
    report.batches += 1;
    tracing::debug!(records = n, acked_seq = outcome.acked_seq, "batch acknowledged");
    Ok(())
}

/// At most this many pulls in one cycle while the centre has more
/// thumbnails to send (each pull is bounded; the next cycle goes on).
const MAX_IMAGE_PULLS: usize = 25;

/// Pulls the border posts and the alert-list changes and installs them,
/// again while the centre says it has more thumbnails than one pull carries.
async fn pull(store: &Store, client: &Client, report: &mut CycleReport) -> Result<(), SyncError> {
    for _ in 0..MAX_IMAGE_PULLS {
        if !pull_once(store, client, report).await? {
            break;
        }
    }
    Ok(())
}

/// One pull; whether the centre has more thumbnails to send.
async fn pull_once(store: &Store, client: &Client, report: &mut CycleReport) -> Result<bool, SyncError> {
    let held = store.held_list_versions().await?;
    let (clearances_after, revocations_after) = store.clearance_marks().await?;
    let clearance_documents_after = store.clearance_documents_mark().await?;
    let pki_after = store.pki_mark().await?;
    let images_after = store.list_images_mark().await?;
    let request = PullRequest {
        protocol: PROTOCOL,
        lists: held,
        clearances_after,
        revocations_after,
        pki_after,
        images_after,
        clearance_documents_after,
    };
    let answer: PullAnswer = client.post("/api/sync/pull", &request).await?;
    report.posts_added = store.merge_posts(&answer.posts).await?;
    // Supervisors' clearances made at the centre or at other posts: in force
    // here from the next inspection (they are read from the store then).
    let (stored, skipped) = store.apply_clearances(&answer.clearances).await?;
    report.clearances_pulled = stored;
    if stored + skipped > 0 {
        tracing::info!(stored, skipped, "clearances pulled");
    }
    // The chip's trust anchors imported at the centre: each version
    // installed here as a version of its own (audited `pki_synced`); the
    // booth's trust store is rebuilt when the version changes.
    let pki = store.apply_pki_delta(&answer.pki).await?;
    report.pki_versions = pki.versions;
    if pki.versions > 0 || pki.skipped > 0 {
        tracing::info!(versions = pki.versions, added = pki.added, skipped = pki.skipped, "trust anchors pulled");
    }
    for delta in &answer.lists {
        let rows = store.apply_list_delta(delta).await?;
        tracing::info!(list = %delta.name, version = delta.version, full = delta.full, rows, "list installed");
        report.lists_updated.push((delta.name.clone(), delta.version));
    }
    // When the centre last refreshed each list from its source (after the
    // deltas: a version installed now is as fresh as the centre's).
    store.apply_list_freshness(&answer.freshness).await?;
    // The notices' thumbnails, after the lists (a version switch keeps
    // only the images of the entries it holds).
    let images = store.apply_list_images(&answer.images).await?;
    report.list_images += images.stored + images.removed;
    if images.stored + images.removed + images.skipped > 0 {
        tracing::info!(
            stored = images.stored,
            removed = images.removed,
            skipped = images.skipped,
            "list images pulled"
        );
    }
    Ok(answer.images.more && !answer.images.images.is_empty())
}

/// Runs cycles until the task is dropped: every `interval` while the centre
/// answers, backing off exponentially (up to `max_backoff`) while it does
/// not. `on_change` runs after a cycle that installed lists or posts (a
/// serving post reloads them).
pub async fn background<F, Fut>(store: Store, cfg: Config, interval: Duration, max_backoff: Duration, on_change: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut failures = 0u32;
    loop {
        let wait = match cycle(&store, &cfg).await {
            Ok(r) => {
                if failures > 0 || r.pushed > 0 {
                    tracing::info!(
                        pushed = r.pushed,
                        applied = r.applied,
                        lists = r.lists_updated.len(),
                        "synchronised"
                    );
                }
                failures = 0;
                if r.changed_lists_or_posts() {
                    on_change().await;
                }
                interval
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                let wait = backoff(interval, max_backoff, failures);
                tracing::warn!(error = %e, retry_in_secs = wait.as_secs_f64(), "synchronisation failed");
                wait
            }
        };
        tokio::time::sleep(wait).await;
    }
}

/// How long a post asks the centre to hold its lookouts long poll.
pub const LOOKOUT_WAIT_SECS: u32 = 25;

/// One lookouts long poll: asks the centre for its lookouts unless its
/// generation is still `generation`, waiting at most `wait_secs` for a
/// change, and stores what it answers. Returns the centre's generation
/// and how many lookouts were stored or replaced (`None` when unchanged).
pub async fn pull_lookouts(
    store: &Store,
    cfg: &Config,
    generation: u64,
    wait_secs: u32,
) -> Result<(u64, Option<u64>), SyncError> {
    let mut cfg = cfg.clone();
    // The request outlives the wait by a margin.
    cfg.timeout = cfg.timeout.max(Duration::from_secs(u64::from(wait_secs) + 15));
    let client = Client::new(&cfg)?;
    let request = LookoutsPull { protocol: PROTOCOL, generation, wait_secs };
    let answer: LookoutsAnswer = client.post("/api/sync/lookouts", &request).await?;
    if !answer.changed {
        return Ok((answer.generation, None));
    }
    let stored = store.apply_lookouts(&answer.lookouts).await?;
    Ok((answer.generation, Some(stored)))
}

/// Keeps a serving post's lookouts current: long polls the centre, which
/// answers as soon as a lookout is issued, changed or cancelled there (or
/// after [`LOOKOUT_WAIT_SECS`] unchanged), stores the answer and runs
/// `on_change` (the post rebuilds its lookouts in memory). While the centre
/// is unreachable it backs off like [`background`]; once back, the first
/// answer carries the whole current set, so a lookout issued or cancelled
/// meanwhile takes effect then.
pub async fn watch_lookouts<F, Fut>(store: Store, cfg: Config, max_backoff: Duration, on_change: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut generation = 0u64;
    let mut failures = 0u32;
    loop {
        match pull_lookouts(&store, &cfg, generation, LOOKOUT_WAIT_SECS).await {
            Ok((g, changed)) => {
                if failures > 0 {
                    tracing::info!("lookouts: the centre answers again");
                }
                failures = 0;
                generation = g;
                if let Some(n) = changed {
                    tracing::info!(stored = n, "lookouts pulled");
                    on_change().await;
                }
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                let wait = backoff(Duration::from_secs(2), max_backoff, failures);
                tracing::warn!(error = %e, retry_in_secs = wait.as_secs_f64(), "lookouts: cannot reach the centre");
                tokio::time::sleep(wait).await;
            }
        }
    }
}

/// `interval · 2^(failures-1)`, at most `max`.
pub fn backoff(interval: Duration, max: Duration, failures: u32) -> Duration {
    let factor = 1u32.checked_shl(failures.saturating_sub(1).min(20)).unwrap_or(u32::MAX);
    interval.saturating_mul(factor).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let s = Duration::from_secs;
        assert_eq!(backoff(s(2), s(60), 1), s(2));
        assert_eq!(backoff(s(2), s(60), 2), s(4));
        assert_eq!(backoff(s(2), s(60), 4), s(16));
        assert_eq!(backoff(s(2), s(60), 10), s(60));
        assert_eq!(backoff(s(2), s(60), u32::MAX), s(60));
    }
}
