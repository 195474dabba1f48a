//! MRZ reader and name transliteration on arbitrary input: no panic, the
//! allocation-free verification agrees with the full document, and
//! transliteration only ever yields MRZ characters.
#![no_main]

use centinela_mrz::{Date, Zone, translit};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (head, rest) = data.split_at(data.len().min(2));
    let days = head.iter().fold(0i64, |a, &b| a * 256 + b as i64) * 3 - 40_000;
    let today = Date::from_days_since_epoch(days);
    let text = String::from_utf8_lossy(rest);
    if let Ok(zone) = Zone::parse(&text) {
        let v = zone.verify(today);
        let doc = zone.document(today);
        assert_eq!(v.valid, doc.valid);
        assert_eq!(v.checks, doc.checks);
        assert_eq!(v.warnings, doc.warnings);
    }
    let m = translit::to_mrz(&text);
    assert!(m.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'<'));
    assert!(!m.starts_with('<') && !m.ends_with('<'));
    let _ = translit::from_mrz_variants(&text, 8);
});
