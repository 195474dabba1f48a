//! The push batch is outside input at the centre: whatever bytes a post (or
//! anyone holding a key) sends, parsing and checking never panic, and what a
//! post sends parses back to what it was.

use centinela_domain::Role;
use centinela_store::{AuditItem, DecisionItem, OutboxItem, PROTOCOL, PushBatch, SyncRecord, UserRef};
use proptest::prelude::*;

fn decision_item() -> impl Strategy<Value = SyncRecord> {
    ("\\PC{0,40}", "[a-z]{1,5}", 0i64..4_000_000_000).prop_map(|(reason, username, secs)| {
        SyncRecord::Decision(DecisionItem {
            crossing_id: format!("C-{secs}"),
            decision: centinela_store::Decision::Admit,
            reason,
            user: UserRef { username, role: Role::Officer },
            at: centinela_domain::Timestamp::from_unix_seconds(secs).unwrap().to_string(),
        })
    })
}

fn audit_item() -> impl Strategy<Value = SyncRecord> {
    (1i64..1000, "\\PC{0,30}", prop::array::uniform32(any::<u8>())).prop_map(|(seq, subject, h)| {
        let hex: String = h.iter().map(|b| format!("{b:02x}")).collect();
        SyncRecord::Audit(AuditItem {
            seq,
            at: "2026-01-01T00:00:00Z".into(),
            actor: "oficial".into(),
            action: "inspection_recorded".into(),
            subject,
            detail: "{}".into(),
            prev_hash: hex.clone(),
            hash: hex,
            sealed: false,
        })
    })
}

/// Record ids as posts make them: random (before migration 0008) or
/// `<instance>-<kind digit>-<ref, 16 hex digits>-<12 random hex digits>` (since).
fn uid() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9a-f]{32}",
        ("[0-9a-f]{32}", 1u8..=7, any::<i64>(), "[0-9a-f]{12}")
            .prop_map(|(inst, kind, r, tail)| format!("{inst}-{kind}-{r:016x}-{tail}")),
    ]
}

fn batch() -> impl Strategy<Value = PushBatch> {
    prop::collection::vec((prop_oneof![decision_item(), audit_item()], uid()), 0..8).prop_map(|records| PushBatch {
        protocol: PROTOCOL,
        items: records
            .into_iter()
            .enumerate()
            .map(|(i, (record, uid))| OutboxItem { seq: i as i64 + 1, uid, record })
            .collect(),
        head: None,
    })
}

proptest! {
    #[test]
    fn any_bytes_parse_and_check_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(b) = serde_json::from_slice::<PushBatch>(&bytes) {
            let _ = b.check("GTM-TECUNUMAN");
        }
    }

    #[test]
    fn batches_round_trip_and_check(b in batch()) {
        let text = serde_json::to_string(&b).unwrap();
        let back: PushBatch = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&back, &b);
        prop_assert!(back.check("GTM-TECUNUMAN").is_ok());
    }

    #[test]
    fn damaged_batches_never_panic(b in batch(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut text = serde_json::to_vec(&b).unwrap();
        let i = at.index(text.len());
        text[i] = byte;
        if let Ok(b) = serde_json::from_slice::<PushBatch>(&text) {
            let _ = b.check("GTM-TECUNUMAN");
        }
    }
}
