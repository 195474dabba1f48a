//! After-hours notifications of lookout hits (issue 21, part 4): each hit
//! stored here (at a booth of this installation, or pushed by a post to the
//! centre) is told to the enabled targets of its post — an HTTPS webhook
//! (JSON signed with HMAC-SHA256) or an e-mail through an SMTP relay.
//!
//! The message carries the least that lets a supervisor act: the lookout's
//! id, the hit's id, the post, the time, the requested action and the
//! subject's kind — never a name, a birth date, a document number, a plate
//! or a phone. The secrets (the webhook's HMAC key, the relay's
//! credentials) are read from a file at each sending, never stored or
//! given on a command line.
//!
//! A hit is queued (bounded: [`QUEUE`]) and sent by one background worker,
//! each target with retries and backoff; a full queue drops the hit's
//! notification (logged and counted) and never blocks a booth. Each
//! sending is audited (`lookout_hit_sent`, actor `system`, detail: target,
//! hit, attempts, outcome).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use centinela_store::{NewNotificationTarget, NotificationTarget, StoredLookoutHit};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::json;
use sha2::Sha256;
use tokio::sync::{Semaphore, mpsc};

use crate::{App, AppError, Caller};

/// Hits waiting for their notifications, at most.
pub const QUEUE: usize = 1_000;
/// Sendings at once.
const PARALLEL: usize = 8;
/// The longest address, relay or secret reference accepted.
const MAX_FIELD: usize = 512;
/// The most bytes read from a secret file.
const MAX_SECRET: u64 = 4096;

/// How a sending is tried.
#[derive(Debug, Clone, Copy)]
pub struct Delivery {
    /// Attempts after the first.
    pub retries: u32,
    /// The wait before the first retry, doubled at each next one.
    pub backoff: Duration,
    /// Each attempt's limit.
    pub timeout: Duration,
}

impl Default for Delivery {
    fn default() -> Self {
        Delivery { retries: 4, backoff: Duration::from_secs(2), timeout: Duration::from_secs(15) }
    }
}

#[derive(Default)]
pub(crate) struct NotifyState {
    queue: OnceLock<mpsc::Sender<StoredLookoutHit>>,
    dropped: AtomicU64,
    delivery: RwLock<Delivery>,
}

/// A target to add.
#[derive(Debug, Clone, Default)]
pub struct AddNotification<'a> {
    /// The post whose hits it is told of ('' every post).
    pub post: &'a str,
    /// The role it stands for; `protection` is told only of lookouts whose
    /// action is a referral to protection.
    pub role: &'a str,
    /// `webhook` or `email`.
    pub kind: &'a str,
    /// The webhook's URL (https; http only to the loopback), or the
    /// e-mail's recipient.
    pub address: &'a str,
    /// E-mail: `smtps://host[:465]` (TLS), `smtp://host[:587]` (STARTTLS
    /// required), or `smtp+plain://127.0.0.1:PORT` (a relay on this
    /// machine).
    pub relay: &'a str,
    /// E-mail: the sender's address.
    pub sender: &'a str,
    /// `file:/absolute/path`: the webhook's HMAC key (required), or the
    /// relay's user and password on two lines (optional).
    pub secret: &'a str,
}

/// A test sending's outcome.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TestOutcome {
    pub attempts: u32,
    pub sent: bool,
    /// The last error (no secret, no personal data); empty when sent.
    pub error: String,
}

/// What a notification says (serialised as the webhook's body).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NotificationMessage {
    pub event: &'static str,
    pub lookout: String,
    pub hit: i64,
    pub post: String,
    /// RFC 3339.
    pub at: String,
    /// The requested action's code (`secondary_inspection`, …).
    pub action: String,
    /// The subject's kind: `person`, `document`, `vehicle`, `phone`.
    pub kind: String,
}

impl NotificationMessage {
    pub fn of(hit: &StoredLookoutHit) -> NotificationMessage {
        NotificationMessage {
            event: "lookout_hit",
            lookout: hit.lookout_uid.clone(),
            hit: hit.id,
            post: hit.post.clone(),
            at: hit.at.clone(),
            action: hit.action.clone(),
            kind: hit.kind.clone(),
        }
    }

    /// The e-mail's subject and text, Spanish then English.
    pub fn email_text(&self) -> (String, String) {
        let (es, en) = match self.action.as_str() {
            "secondary_inspection" => ("inspección secundaria", "secondary inspection"),
            "refer_to_protection" => ("derivar a protección", "refer to protection"),
            "notify" => ("notificar", "notify"),
            "detain_per_law" => ("detener según la ley nacional", "detain per national law"),
            _ => ("ver la búsqueda", "see the lookout"),
        };
        let when = day_and_time(&self.at);
        let subject = format!("Centinela: coincidencia de búsqueda en {} / lookout hit at {}", self.post, self.post);
        let body = format!(
            "Coincidencia de la búsqueda {l} en el puesto {p} el {w} UTC.\nAcción solicitada: {es}.\n\
             Vea el detalle en Centinela (Búsquedas).\n\n\
             Lookout {l} hit at post {p} on {w} UTC.\nRequested action: {en}.\n\
             See the details in Centinela (Lookouts).\n",
            l = self.lookout,
            p = self.post,
            w = when,
        );
        (subject, body)
    }
}

/// DD/MM/AAAA HH:MM (UTC) of an RFC 3339 instant (as given when
/// unreadable).
fn day_and_time(s: &str) -> String {
    match s.parse::<jiff::Timestamp>() {
        Ok(t) => t.strftime("%d/%m/%Y %H:%M").to_string(),
        Err(_) => s.to_string(),
    }
}

/// The webhook's signature header value: `sha256=` and the hex HMAC-SHA256
/// of `timestamp.body` under `key`.
pub fn sign(key: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let out = mac.finalize().into_bytes();
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256=");
    for b in out {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

fn loopback(host: Option<&str>) -> bool {
    matches!(host, Some("127.0.0.1" | "localhost" | "[::1]" | "::1"))
}

fn check_webhook_url(u: &str) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(u).map_err(|_| "address: a webhook's https URL".to_string())?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback(url.host_str()) => Ok(url),
        _ => Err("address: a webhook's URL is https (http only to 127.0.0.1)".into()),
    }
}

/// The relay: host, port, and how it is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Relay {
    Tls(String, u16),
    StartTls(String, u16),
    Plain(String, u16),
}

fn parse_relay(r: &str) -> Result<Relay, String> {
    let bad = || "relay: smtps://host[:port], smtp://host[:port] (STARTTLS) or smtp+plain://127.0.0.1:port".to_string();
    let url = reqwest::Url::parse(r).map_err(|_| bad())?;
    let host = url.host_str().ok_or_else(bad)?.to_string();
    if !url.username().is_empty() || url.password().is_some() {
        return Err("relay: no credentials in the URL (they are read from the secret file)".into());
    }
    match url.scheme() {
        "smtps" => Ok(Relay::Tls(host, url.port().unwrap_or(465))),
        "smtp" => Ok(Relay::StartTls(host, url.port().unwrap_or(587))),
        "smtp+plain" if loopback(Some(&host)) => Ok(Relay::Plain(host, url.port().unwrap_or(25))),
        _ => Err(bad()),
    }
}

fn check_email(a: &str, what: &str) -> Result<lettre::message::Mailbox, String> {
    a.parse::<lettre::message::Mailbox>().map_err(|_| format!("{what}: an e-mail address"))
}

/// Reads the secret a `file:/path` reference names (at most 4 KiB).
fn read_secret(reference: &str) -> Result<Vec<u8>, String> {
    let path = reference.strip_prefix("file:").ok_or("secret: file:/absolute/path")?;
    let meta = std::fs::metadata(path).map_err(|e| format!("secret file: {e}"))?;
    if meta.len() > MAX_SECRET {
        return Err("secret file: larger than 4 KiB".into());
    }
    let mut s = std::fs::read(path).map_err(|e| format!("secret file: {e}"))?;
    while s.last().is_some_and(|b| b.is_ascii_whitespace()) {
        s.pop();
    }
    if s.is_empty() {
        return Err("secret file: empty".into());
    }
    Ok(s)
}

fn check_secret_ref(s: &str) -> Result<(), String> {
    match s.strip_prefix("file:") {
        Some(p) if p.starts_with('/') && p.len() <= MAX_FIELD && !p.chars().any(char::is_control) => Ok(()),
        _ => Err("secret: file:/absolute/path (where the secret is read, never the secret)".into()),
    }
}

impl App {
    fn notify_state(&self) -> &NotifyState {
        &self.0.notify
    }

    /// How sendings are tried from now on (tests shorten the backoff).
    pub fn set_notification_delivery(&self, d: Delivery) {
        *self.notify_state().delivery.write().unwrap_or_else(|e| e.into_inner()) = d;
    }

    /// Hits whose notifications were dropped because the queue was full.
    pub fn notifications_dropped(&self) -> u64 {
        self.notify_state().dropped.load(Ordering::Relaxed)
    }

    /// Adds a notification target (audited `notification_target_added`,
    /// with its id, kind, post and role — not its address).
    pub async fn add_notification_target(
        &self,
        caller: Caller<'_>,
        req: &AddNotification<'_>,
    ) -> Result<NotificationTarget, AppError> {
        let invalid = AppError::Invalid;
        for (what, s) in [
            ("post", req.post),
            ("role", req.role),
            ("address", req.address),
            ("relay", req.relay),
            ("sender", req.sender),
            ("secret", req.secret),
        ] {
            if s.len() > MAX_FIELD {
                return Err(invalid(format!("{what}: at most {MAX_FIELD} bytes")));
            }
            centinela_domain::check_line(s, MAX_FIELD).map_err(|e| invalid(format!("{what}: {e}")))?;
        }
        if !req.post.is_empty() {
            centinela_domain::check_post_code(req.post).map_err(|e| invalid(format!("post: {e}")))?;
        }
        centinela_domain::Role::parse(req.role).map_err(|_| invalid("role: a role's code".into()))?;
        match req.kind {
            "webhook" => {
                check_webhook_url(req.address).map_err(invalid)?;
                check_secret_ref(req.secret).map_err(invalid)?;
                if !req.relay.is_empty() || !req.sender.is_empty() {
                    return Err(invalid("relay, sender: for e-mail only".into()));
                }
            }
            "email" => {
                check_email(req.address, "address").map_err(invalid)?;
                check_email(req.sender, "sender").map_err(invalid)?;
                parse_relay(req.relay).map_err(invalid)?;
                if !req.secret.is_empty() {
                    check_secret_ref(req.secret).map_err(invalid)?;
                }
            }
            _ => return Err(invalid("kind: webhook or email".into())),
        }
        let t = self
            .store()
            .add_notification_target(&NewNotificationTarget {
                post: req.post,
                role: req.role,
                kind: req.kind,
                address: req.address,
                relay: req.relay,
                sender: req.sender,
                secret: req.secret,
                created_by: &caller.actor(),
            })
            .await?;
        let detail = json!({"kind": t.kind, "post": t.post, "role": t.role});
        self.audit(caller, "notification_target_added", format!("notification:{}", t.id), detail).await?;
        Ok(t)
    }

    pub async fn notification_targets(&self) -> Result<Vec<NotificationTarget>, AppError> {
        Ok(self.store().notification_targets().await?)
    }

    /// Enables or disables a target (audited).
    pub async fn set_notification_target_enabled(
        &self,
        caller: Caller<'_>,
        id: i64,
        enabled: bool,
    ) -> Result<(), AppError> {
        self.store().set_notification_target_enabled(id, enabled).await?;
        let action = if enabled { "notification_target_enabled" } else { "notification_target_disabled" };
        self.audit(caller, action, format!("notification:{id}"), json!({})).await
    }

    /// Removes a target (audited).
    pub async fn remove_notification_target(&self, caller: Caller<'_>, id: i64) -> Result<(), AppError> {
        self.store().remove_notification_target(id).await?;
        self.audit(caller, "notification_target_removed", format!("notification:{id}"), json!({})).await
    }

    /// Sends a test message to one target now (the same path as a hit's,
    /// with the lookout `test` and hit 0); audited like a sending.
    pub async fn test_notification_target(&self, caller: Caller<'_>, id: i64) -> Result<TestOutcome, AppError> {
        let Some(t) = self.store().notification_targets().await?.into_iter().find(|t| t.id == id) else {
            return Err(AppError::NotFound(format!("notification target {id}")));
        };
        let msg = NotificationMessage {
            event: "test",
            lookout: "test".into(),
            hit: 0,
            post: t.post.clone(),
            at: jiff::Timestamp::now().to_string(),
            action: "notify".into(),
            kind: "test".into(),
        };
        let delivery = *self.notify_state().delivery.read().unwrap_or_else(|e| e.into_inner());
        let (attempts, outcome) = deliver(&t, &msg, delivery).await;
        record(self, &caller.actor(), &t, &msg, attempts, &outcome).await?;
        Ok(TestOutcome { attempts, sent: outcome.is_ok(), error: outcome.err().unwrap_or_default() })
    }

    /// Queues a hit's notifications (never waits: a full queue drops them,
    /// logged and counted). Starts the worker at first use.
    pub(crate) fn queue_notifications(&self, hit: &StoredLookoutHit) {
        if tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        let tx = self.notify_state().queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel(QUEUE);
            tokio::spawn(worker(self.clone(), rx));
            tx
        });
        if tx.try_send(hit.clone()).is_err() {
            let n = self.notify_state().dropped.fetch_add(1, Ordering::Relaxed) + 1;
            tracing::error!(hit = hit.id, dropped = n, "notification queue full: a hit's notifications dropped");
        }
    }
}

/// Records a sending's outcome on its target and audits it
/// (`lookout_hit_sent`).
async fn record(
    app: &App,
    actor: &str,
    t: &NotificationTarget,
    msg: &NotificationMessage,
    attempts: u32,
    outcome: &Result<(), String>,
) -> Result<(), AppError> {
    let error = outcome.as_ref().err().cloned().unwrap_or_default();
    app.store().record_notification(t.id, &jiff::Timestamp::now().to_string(), &error).await?;
    let detail = json!({
        "target": t.id, "kind": t.kind, "hit": msg.hit, "post": msg.post,
        "attempts": attempts, "sent": outcome.is_ok(),
    });
    app.audit_as(actor, "lookout_hit_sent", &format!("lookout:{}", msg.lookout), detail).await
}

/// Sends the queued hits' notifications, [`PARALLEL`] at a time.
async fn worker(app: App, mut rx: mpsc::Receiver<StoredLookoutHit>) {
    let slots = Arc::new(Semaphore::new(PARALLEL));
    while let Some(hit) = rx.recv().await {
        let targets = match app.store().notification_targets_for(&hit.post).await {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(error = %e, hit = hit.id, "cannot read the notification targets");
                continue;
            }
        };
        let msg = NotificationMessage::of(&hit);
        for t in targets {
            if t.role == "protection" && hit.action != "refer_to_protection" {
                continue;
            }
            let Ok(permit) = slots.clone().acquire_owned().await else { return };
            let app = app.clone();
            let msg = msg.clone();
            tokio::spawn(async move {
                let delivery = *app.notify_state().delivery.read().unwrap_or_else(|e| e.into_inner());
                let (attempts, outcome) = deliver(&t, &msg, delivery).await;
                match &outcome {
                    Ok(()) => tracing::info!(target_id = t.id, hit = msg.hit, attempts, "lookout hit notified"),
                    Err(e) => {
                        tracing::warn!(target_id = t.id, hit = msg.hit, attempts, error = %e, "notification failed")
                    }
                }
                if let Err(e) = record(&app, "system", &t, &msg, attempts, &outcome).await {
                    tracing::error!(error = %e, "cannot record a notification's outcome");
                }
                drop(permit);
            });
        }
    }
}

/// Tries a sending with retries and backoff: the attempts made and the
/// outcome (the last error's text: no secret, no personal data).
async fn deliver(t: &NotificationTarget, msg: &NotificationMessage, d: Delivery) -> (u32, Result<(), String>) {
    let mut wait = d.backoff;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let result = match tokio::time::timeout(d.timeout, send_once(t, msg, d.timeout)).await {
            Ok(r) => r,
            Err(_) => Err(Failure::from("timed out")),
        };
        match result {
            Ok(()) => return (attempt, Ok(())),
            Err(e) if e.permanent || attempt > d.retries => return (attempt, Err(e.text)),
            Err(_) => {
                tokio::time::sleep(wait).await;
                wait = wait.saturating_mul(2);
            }
        }
    }
}

/// A failed attempt; `permanent` when trying again cannot help (a missing
/// secret, a refused address).
struct Failure {
    text: String,
    permanent: bool,
}

impl From<String> for Failure {
    fn from(text: String) -> Failure {
        Failure { text, permanent: false }
    }
}

impl From<&str> for Failure {
    fn from(text: &str) -> Failure {
        Failure { text: text.to_string(), permanent: false }
    }
}

fn permanent(text: impl Into<String>) -> Failure {
    Failure { text: text.into(), permanent: true }
}

async fn send_once(t: &NotificationTarget, msg: &NotificationMessage, timeout: Duration) -> Result<(), Failure> {
    match t.kind.as_str() {
        "webhook" => {
            let key = read_secret(&t.secret).map_err(permanent)?;
            let url = check_webhook_url(&t.address).map_err(permanent)?;
            let body = serde_json::to_vec(msg).map_err(|e| permanent(e.to_string()))?;
            let now = jiff::Timestamp::now().as_second();
            let client = reqwest::Client::builder()
                .timeout(timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| permanent(format!("http client: {e}")))?;
            let resp = client
                .post(url)
                .header("content-type", "application/json")
                .header("x-centinela-timestamp", now.to_string())
                .header("x-centinela-signature", sign(&key, now, &body))
                .body(body)
                .send()
                .await
                .map_err(|e| Failure::from(format!("webhook: {}", e.without_url())))?;
            let status = resp.status();
            if status.is_success() {
                Ok(())
            } else if status.is_client_error() && status.as_u16() != 408 && status.as_u16() != 429 {
                Err(permanent(format!("webhook answered {}", status.as_u16())))
            } else {
                Err(format!("webhook answered {}", status.as_u16()).into())
            }
        }
        "email" => send_email(t, msg, timeout).await,
        other => Err(permanent(format!("kind '{other}'"))),
    }
}

async fn send_email(t: &NotificationTarget, msg: &NotificationMessage, timeout: Duration) -> Result<(), Failure> {
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let to = check_email(&t.address, "address").map_err(permanent)?;
    let from = check_email(&t.sender, "sender").map_err(permanent)?;
    let (subject, body) = msg.email_text();
    let email = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .header(lettre::message::header::ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| permanent(format!("e-mail: {e}")))?;
    let builder = match parse_relay(&t.relay).map_err(permanent)? {
        Relay::Tls(h, p) => {
            AsyncSmtpTransport::<Tokio1Executor>::relay(&h).map_err(|e| permanent(e.to_string()))?.port(p)
        }
        Relay::StartTls(h, p) => {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&h).map_err(|e| permanent(e.to_string()))?.port(p)
        }
        Relay::Plain(h, p) => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(h).port(p),
    };
    let mut builder = builder.timeout(Some(timeout));
    if !t.secret.is_empty() {
        let secret = read_secret(&t.secret).map_err(permanent)?;
        let secret = String::from_utf8(secret).map_err(|_| permanent("secret file: not UTF-8"))?;
        let (user, pass) =
            secret.split_once('\n').ok_or_else(|| permanent("secret file: user and password, two lines"))?;
        builder = builder.credentials(Credentials::new(user.trim().to_string(), pass.trim().to_string()));
    }
    let mailer = builder.build();
    match mailer.send(email).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(permanent(format!("smtp: {e}"))),
        Err(e) => Err(format!("smtp: {e}").into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relays_and_webhooks_are_checked() {
        assert_eq!(parse_relay("smtps://mail.example.org").unwrap(), Relay::Tls("mail.example.org".into(), 465));
        assert_eq!(parse_relay("smtp://mail.example.org").unwrap(), Relay::StartTls("mail.example.org".into(), 587));
        assert_eq!(parse_relay("smtp+plain://127.0.0.1:2525").unwrap(), Relay::Plain("127.0.0.1".into(), 2525));
        assert!(parse_relay("smtp+plain://mail.example.org:25").is_err(), "plain text only on this machine");
        assert!(parse_relay("smtps://user:pw@mail.example.org").is_err(), "no credentials in the URL");
        assert!(check_webhook_url("https://hooks.example.org/x").is_ok());
        assert!(check_webhook_url("http://127.0.0.1:9/x").is_ok());
        assert!(check_webhook_url("http://hooks.example.org/x").is_err());
        assert!(check_secret_ref("file:/etc/centinela/hook.key").is_ok());
        assert!(check_secret_ref("s3cr3t").is_err());
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_and_body() {
        // RFC 4231 test case 2 (key "Jefe"), the message split at the dot
        // the signature puts between the timestamp and the body.
        let want = "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        let (ts, body) = (0, b"what do ya want for nothing?");
        assert_ne!(sign(b"Jefe", ts, body), want, "the timestamp is signed with the body");
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"0.what do ya want for nothing?");
        let with_ts: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(sign(b"Jefe", ts, body), format!("sha256={with_ts}"));
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(b"Jefe").unwrap();
        mac.update(body);
        let plain: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(format!("sha256={plain}"), want, "the HMAC is RFC 4231's");
    }

    #[test]
    fn the_message_carries_no_personal_data() {
        let m = NotificationMessage {
            event: "lookout_hit",
            lookout: "L-1".into(),
            hit: 7,
            post: "GTM-TECUNUMAN".into(),
            at: "2026-03-01T09:05:00Z".into(),
            action: "secondary_inspection".into(),
            kind: "vehicle".into(),
        };
        let v = serde_json::to_value(&m).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["action", "at", "event", "hit", "kind", "lookout", "post"]);
        let (subject, body) = m.email_text();
        assert!(subject.contains("GTM-TECUNUMAN"));
        assert!(body.contains("01/03/2026 09:05") && body.contains("inspección secundaria"));
        assert!(body.contains("secondary inspection"));
    }

    use std::sync::Mutex;
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    /// A webhook receiver on 127.0.0.1 answering `status` to every request
    /// and keeping each request's head and body.
    async fn receiver(status: u16) -> (String, Arc<Mutex<Vec<(String, Vec<u8>)>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let got = Arc::new(Mutex::new(Vec::new()));
        let kept = got.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let mut r = BufReader::new(sock);
                    let mut head = String::new();
                    loop {
                        let mut line = String::new();
                        if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        head.push_str(&line);
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let len = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string())
                        })
                        .and_then(|v| v.parse::<usize>().ok())
                        .unwrap_or(0);
                    let mut body = vec![0; len];
                    r.read_exact(&mut body).await.unwrap();
                    kept.lock().unwrap().push((head, body));
                    let answer = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                    r.get_mut().write_all(answer.as_bytes()).await.unwrap();
                });
            }
        });
        (url, got)
    }

    /// An SMTP sink on 127.0.0.1 keeping each message's DATA.
    async fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let got = Arc::new(Mutex::new(Vec::new()));
        let kept = got.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let mut r = BufReader::new(sock);
                    r.get_mut().write_all(b"220 sink ESMTP\r\n").await.unwrap();
                    let mut data: Option<String> = None;
                    loop {
                        let mut line = String::new();
                        if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        if let Some(d) = data.as_mut() {
                            if line == ".\r\n" {
                                kept.lock().unwrap().push(data.take().unwrap_or_default());
                                r.get_mut().write_all(b"250 queued\r\n").await.unwrap();
                            } else {
                                d.push_str(&line);
                            }
                            continue;
                        }
                        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                        let answer: &[u8] = match verb.as_str() {
                            "EHLO" | "HELO" => b"250 sink\r\n",
                            "DATA" => {
                                data = Some(String::new());
                                b"354 go on\r\n"
                            }
                            "QUIT" => {
                                r.get_mut().write_all(b"221 bye\r\n").await.unwrap();
                                return;
                            }
                            _ => b"250 ok\r\n",
                        };
                        r.get_mut().write_all(answer).await.unwrap();
                    }
                });
            }
        });
        (port, got)
    }

    async fn until<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
        for _ in 0..200 {
            if let Some(v) = f() {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("{what}: not within 5 s");
    }

    #[tokio::test]
    async fn a_hit_is_sent_to_webhooks_and_by_mail_and_a_failing_receiver_is_retried_then_given_up() {
        let dir = tempfile::tempdir().unwrap();
        let store = centinela_store::Store::connect(dir.path().join("c.db").to_str().unwrap()).await.unwrap();
        let app = App::new(store.clone());
        app.set_notification_delivery(Delivery {
            retries: 2,
            backoff: Duration::from_millis(10),
            timeout: Duration::from_secs(5),
        });
        let key = dir.path().join("hook.key");
        std::fs::write(&key, "una clave de firma\n").unwrap();
        let secret = format!("file:{}", key.display());
        let (ok_url, ok_got) = receiver(200).await;
        let (bad_url, bad_got) = receiver(503).await;
        let (port, mails) = smtp_sink().await;
        let relay = format!("smtp+plain://127.0.0.1:{port}");
        let add = |kind, post, role, address, relay, sender, secret| AddNotification {
            post,
            role,
            kind,
            address,
            relay,
            sender,
            secret,
        };
        let post = "GTM-TECUNUMAN";
        let ok = app
            .add_notification_target(Caller::Cli, &add("webhook", post, "supervisor", &ok_url, "", "", &secret))
            .await
            .unwrap();
        let bad = app
            .add_notification_target(Caller::Cli, &add("webhook", "", "supervisor", &bad_url, "", "", &secret))
            .await
            .unwrap();
        app.add_notification_target(
            Caller::Cli,
            &add("email", post, "supervisor", "guardia@example.org", &relay, "centinela@example.org", ""),
        )
        .await
        .unwrap();
        // Another post's target and a protection target (the lookout asks
        // for a secondary inspection) are not told.
        let (other_url, other_got) = receiver(200).await;
        app.add_notification_target(
            Caller::Cli,
            &add("webhook", "GTM-OTRO", "supervisor", &other_url, "", "", &secret),
        )
        .await
        .unwrap();
        app.add_notification_target(Caller::Cli, &add("webhook", "", "protection", &other_url, "", "", &secret))
            .await
            .unwrap();
        for wrong in [
            add("webhook", post, "supervisor", "http://hooks.example.org/x", "", "", &secret),
            add("webhook", post, "supervisor", &ok_url, "", "", "la-clave"),
            add(
                "email",
                post,
                "supervisor",
                "guardia@example.org",
                "smtp+plain://mail.example.org",
                "c@example.org",
                "",
            ),
            add("email", post, "nadie", "guardia@example.org", &relay, "c@example.org", ""),
            add("sms", post, "supervisor", "+50255550000", "", "", ""),
        ] {
            let r = app.add_notification_target(Caller::Cli, &wrong).await;
            assert!(matches!(r, Err(AppError::Invalid(_))), "{wrong:?}: {r:?}");
        }

        let hit = StoredLookoutHit {
            id: 41,
            lookout_uid: "L-7".into(),
            crossing_id: "C-1".into(),
            post: post.into(),
            kind: "vehicle".into(),
            score: 1.0,
            at: "2026-03-01T23:10:00Z".into(),
            reason: "Robo del vehículo P-123ABC".into(),
            action: "secondary_inspection".into(),
            issued_by: "sup1".into(),
            notify: vec![],
        };
        app.tell_lookout_hits(vec![hit]);

        let (head, body) = until("the webhook", || ok_got.lock().unwrap().first().cloned()).await;
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["lookout"], "L-7");
        assert_eq!(
            (v["post"].as_str(), v["action"].as_str(), v["hit"].as_i64()),
            (Some(post), Some("secondary_inspection"), Some(41))
        );
        let text = String::from_utf8_lossy(&body);
        assert!(!text.contains("P-123") && !text.contains("Robo"), "no reason, no plate: {text}");
        let header = |name: &str| {
            head.lines()
                .find_map(|l| l.to_ascii_lowercase().starts_with(name).then(|| l[name.len() + 1..].trim().to_string()))
                .unwrap()
        };
        let ts: i64 = header("x-centinela-timestamp").parse().unwrap();
        assert_eq!(
            header("x-centinela-signature"),
            sign(b"una clave de firma", ts, &body),
            "signed with the file's key"
        );

        let mail = until("the e-mail", || mails.lock().unwrap().first().cloned()).await;
        assert!(mail.contains("L-7") && mail.contains(post), "{mail}");
        assert!(!mail.contains("P-123") && !mail.contains("Robo"), "{mail}");

        // The failing receiver is tried three times (two retries), then
        // given up; the others are not held back by it.
        until("the retries", || (bad_got.lock().unwrap().len() == 3).then_some(())).await;
        let sent = loop {
            let entries = store.audit_entries(None).await.unwrap();
            let sent: Vec<_> = entries.into_iter().filter(|a| a.action == "lookout_hit_sent").collect();
            if sent.len() == 3 {
                break sent;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        };
        let failed: Vec<_> = sent.iter().filter(|a| a.detail.contains("\"sent\":false")).collect();
        assert_eq!(failed.len(), 1, "{sent:?}");
        assert!(
            failed[0].detail.contains(&format!("\"target\":{}", bad.id)) && failed[0].detail.contains("\"attempts\":3")
        );
        assert!(sent.iter().all(|a| a.actor == "system" && a.subject == "lookout:L-7"));
        let targets = app.notification_targets().await.unwrap();
        let of = |id| targets.iter().find(|t| t.id == id).unwrap();
        assert!(of(ok.id).last_sent_at.is_some() && of(ok.id).last_error.is_empty());
        assert!(of(bad.id).last_error.contains("503"), "{:?}", of(bad.id));
        assert!(other_got.lock().unwrap().is_empty(), "another post's and protection's targets are not told");

        // A test message through one target, on demand.
        let t = app.test_notification_target(Caller::Cli, ok.id).await.unwrap();
        assert!(t.sent && t.attempts == 1, "{t:?}");
        let t = app.test_notification_target(Caller::Cli, bad.id).await.unwrap();
        assert!(!t.sent && t.error.contains("503"), "{t:?}");
    }
}
