//! PNRGOV on arbitrary input: no panic, every error
//! and warning printable in both languages, and whatever parses writes back
//! to an interchange that reads back to the same messages.
#![no_main]

use centinela_edifact::{parse, write};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Seed the input as a PNRGOV message so the typed reader is reached.
    let mut input = b"UNA:+.? 'UNB+UNOC:4+A+B+20261206:1405+1'UNH+1+PNRGOV:11:1:IA'".to_vec();
    input.extend_from_slice(data);
    check(&input);
    check(data);
});

fn check(input: &[u8]) {
    match parse(input, 2026) {
        Ok(i) => {
            for w in &i.warnings {
                let _ = w.to_string();
            }
            let text = write(&i);
            let back = parse(text.as_bytes(), 2026).expect("a written interchange reads back");
            assert_eq!(back.messages, i.messages);
        }
        Err(e) => {
            let _ = (e.to_string(), e.es());
        }
    }
}
