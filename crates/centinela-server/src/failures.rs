//! Failed and denied attempts in the audit chain, without letting anyone
//! flood it.
//!
//! Every failed login and every 401/403/404 answer of a protected endpoint
//! is audited, keyed by who (a user id, or `anonymous`), the action, what
//! (an account id or `unknown`, a route template — never a raw path or a
//! typed username) and the client address. Per key and minute the first
//! attempt is written at once (a single probe shows up immediately; a crash
//! loses at most the count of its repeats); the repeats within that minute
//! become one entry with their count (`count`, `first`, `last`) when the
//! minute is over ([`Failures::flush`], every few seconds, and at
//! shutdown). So a key costs at most two entries a minute however fast it
//! is tried — ~800 failed logins a second used to be ~800 rows — and the
//! number of keys held is bounded: beyond [`MAX_KEYS`] in a minute, new keys
//! are counted together under the address `*`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use centinela_store::AuditEntry;
use serde_json::{Value, json};

/// Distinct keys held within one minute before new ones are folded into
/// one overflow key per action.
pub const MAX_KEYS: usize = 4096;

/// What one attempt is: who, what they tried, against what, from where,
/// and its codes (a JSON object of codes, without personal data).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Attempt {
    pub actor: String,
    pub action: &'static str,
    pub subject: String,
    pub address: Option<IpAddr>,
    /// The codes of the attempt (`{"reason":…}`, `{"status":…}`), as JSON
    /// text so the key can be hashed.
    pub detail: String,
}

impl Attempt {
    pub fn new(
        actor: impl Into<String>,
        action: &'static str,
        subject: impl Into<String>,
        address: Option<IpAddr>,
        detail: Value,
    ) -> Attempt {
        Attempt { actor: actor.into(), action, subject: subject.into(), address, detail: detail.to_string() }
    }

    /// The audit entry for `count` attempts; `span`: the first and last
    /// times of repeats.
    fn entry(&self, count: u64, span: Option<(&str, &str)>) -> AuditEntry {
        let mut detail: Value = serde_json::from_str(&self.detail).unwrap_or_else(|_| json!({}));
        if let Some(map) = detail.as_object_mut() {
            map.insert("address".into(), self.address.map_or(json!("*"), |a| json!(a.to_string())));
            map.insert("count".into(), json!(count));
            if let Some((first, last)) = span {
                map.insert("first".into(), json!(first));
                map.insert("last".into(), json!(last));
            }
        }
        AuditEntry {
            actor: self.actor.clone(),
            action: self.action.to_string(),
            subject: self.subject.clone(),
            detail: detail.to_string(),
        }
    }
}

/// One key's minute: repeats not yet written.
#[derive(Debug)]
struct Window {
    minute: i64,
    repeats: u64,
    first: String,
    last: String,
}

/// The attempts of the current minutes, per key.
#[derive(Debug, Default)]
pub struct Failures {
    windows: Mutex<HashMap<Attempt, Window>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Failures {
    /// Counts one attempt at `now` (Unix seconds, `at` its RFC 3339 text):
    /// the entries to write now — the attempt itself when it is its key's
    /// first this minute, and the previous minute's repeats of the key.
    pub(crate) fn count(&self, mut attempt: Attempt, now: i64, at: &str) -> Vec<AuditEntry> {
        let minute = now.div_euclid(60);
        let mut map = lock(&self.windows);
        let mut out = Vec::new();
        if !map.contains_key(&attempt) && map.len() >= MAX_KEYS {
            out.extend(take_ended(&mut map, minute));
            if map.len() >= MAX_KEYS {
                attempt = Attempt { subject: "*".into(), address: None, detail: "{}".into(), ..attempt };
            }
        }
        match map.get_mut(&attempt) {
            Some(w) if w.minute == minute => {
                w.repeats += 1;
                if w.repeats == 1 {
                    w.first = at.to_string();
                }
                w.last = at.to_string();
            }
            Some(w) => {
                if w.repeats > 0 {
                    out.push(attempt.entry(w.repeats, Some((&w.first, &w.last))));
                }
                *w = Window { minute, repeats: 0, first: String::new(), last: String::new() };
                out.push(attempt.entry(1, None));
            }
            None => {
                out.push(attempt.entry(1, None));
                map.insert(attempt, Window { minute, repeats: 0, first: String::new(), last: String::new() });
            }
        }
        out
    }

    /// The repeats of minutes ended before `now` (all, with `all`), removed.
    pub(crate) fn drain(&self, now: i64, all: bool) -> Vec<AuditEntry> {
        let mut map = lock(&self.windows);
        if all {
            return take_ended(&mut map, i64::MAX);
        }
        take_ended(&mut map, now.div_euclid(60))
    }
}

/// Removes the windows of minutes before `minute`, answering the entries
/// of their repeats.
fn take_ended(map: &mut HashMap<Attempt, Window>, minute: i64) -> Vec<AuditEntry> {
    let mut out = Vec::new();
    map.retain(|a, w| {
        if w.minute >= minute {
            return true;
        }
        if w.repeats > 0 {
            out.push(a.entry(w.repeats, Some((&w.first, &w.last))));
        }
        false
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(subject: &str, ip: [u8; 4]) -> Attempt {
        Attempt::new("anonymous", "login_failed", subject, Some(IpAddr::from(ip)), json!({"reason": "bad_password"}))
    }

    #[test]
    fn a_key_costs_two_entries_a_minute_at_most() {
        let f = Failures::default();
        let t0 = 1_800_000_020 - 20; // the start of a minute
        let first = f.count(login("user:1", [10, 0, 0, 1]), t0, "a");
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].detail, r#"{"address":"10.0.0.1","count":1,"reason":"bad_password"}"#);
        for i in 1..800 {
            assert!(f.count(login("user:1", [10, 0, 0, 1]), t0 + i % 60, "b").is_empty());
        }
        // Another address is another key.
        assert_eq!(f.count(login("user:1", [10, 0, 0, 2]), t0, "a").len(), 1);
        assert!(f.drain(t0 + 59, false).is_empty());
        let repeats = f.drain(t0 + 60, false);
        assert_eq!(repeats.len(), 1);
        let d: Value = serde_json::from_str(&repeats[0].detail).unwrap();
        assert_eq!((d["count"].as_u64(), d["first"].as_str()), (Some(799), Some("b")));
        assert!(f.drain(t0 + 600, true).is_empty());

        // The next minute's first attempt writes the minute before's repeats.
        f.count(login("user:2", [10, 0, 0, 1]), t0, "a");
        f.count(login("user:2", [10, 0, 0, 1]), t0 + 1, "b");
        let next = f.count(login("user:2", [10, 0, 0, 1]), t0 + 61, "c");
        assert_eq!(next.len(), 2);
        assert!(next[0].detail.contains("\"count\":1,\"first\":\"b\""), "{}", next[0].detail);
    }

    #[test]
    fn keys_are_bounded() {
        let f = Failures::default();
        let t0 = 1_800_000_020 - 20; // the start of a minute
        let mut written = 0;
        for i in 0..(MAX_KEYS as u32 + 1000) {
            written += f.count(login("unknown", (i + 1).to_be_bytes()), t0, "a").len();
        }
        assert_eq!(written, MAX_KEYS + 1);
        assert_eq!(lock(&f.windows).len(), MAX_KEYS + 1);
        let overflow = f.drain(t0, true).into_iter().find(|e| e.subject == "*").unwrap();
        assert!(overflow.detail.contains("\"count\":999"), "{}", overflow.detail);
    }
}
