//! UN/EDIFACT on arbitrary input — the syntax alone, and behind a PAXLST or
//! a PNRGOV message header so that each typed reader is reached: no panic,
//! every error and warning printable in both languages, and whatever parses
//! writes back to an interchange that reads back to the same messages.
#![no_main]

use centinela_edifact::{parse, write};
use libfuzzer_sys::fuzz_target;

/// An interchange opened up to a message header of each type.
const HEADERS: [&[u8]; 2] = [
    b"UNA:+.? 'UNB+UNOC:4+A+B+20261206:1405+1'UNH+1+PAXLST:D:05B:UN:IATA'",
    b"UNA:+.? 'UNB+UNOC:4+A+B+20261206:1405+1'UNH+1+PNRGOV:11:1:IA'",
];

fuzz_target!(|data: &[u8]| {
    check(data);
    for header in HEADERS {
        let mut input = header.to_vec();
        input.extend_from_slice(data);
        check(&input);
    }
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
