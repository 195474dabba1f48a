//! The check phase of a push: every pushed record's fields are checked
//! (sizes, times, ids, the post it claims) before anything is read from or
//! written to the centre's database. Pure: no I/O.

use super::*;

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

pub(super) fn hex32(s: &str) -> Result<[u8; 32], String> {
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
            SyncRecord::LookoutHit(h) => {
                check_time(&h.at)?;
                if !h.score.is_finite() || !(0.0..=1.0).contains(&h.score) {
                    return Err("score is not in [0, 1]".into());
                }
                if !matches!(h.kind.as_str(), "person" | "document" | "vehicle" | "phone") {
                    return Err(format!("lookout hit kind '{}' is not person, document, vehicle or phone", h.kind));
                }
                if h.lookout_uid.is_empty() || h.lookout_uid.len() > 64 {
                    return Err("lookout_uid: 1 to 64 characters".into());
                }
                line(&h.lookout_uid, "lookout_uid")?;
                line(&h.crossing_id, "crossing_id")?;
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
pub(super) fn check_clearance(c: &ClearanceItem) -> Result<(), String> {
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

pub(super) fn check_clearance_document(d: &ClearanceDocumentItem) -> Result<(), String> {
    check_uid(&d.uid)?;
    check_uid(&d.clearance)?;
    check_time(&d.added_at)?;
    centinela_domain::check_line(&d.added_by, centinela_domain::text::MAX_LINE_CHARS)
        .map_err(|e| format!("added_by: {e}"))?;
    crate::clearances::check_document_fields(&d.document_number, &d.issuing_state, &d.person, &d.evidence)
}

pub(super) fn check_revocation(r: &RevocationItem) -> Result<(), String> {
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
