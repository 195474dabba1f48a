//! Parse throughput on one core: `cargo bench -p centinela-edifact --bench parse`.
//!
//! Builds interchanges with the crate's writer (names, documents, bookings
//! drawn from a fixed seed), then times `parse` over them: PAXLST messages
//! of 1, 30 and 300 persons, and PNRGOV pushes of 1 and 30 PNRs (2
//! passengers, 2 legs, tickets, DOCS, seats, baggage, contact and payment
//! each). Prints one line per case: messages per second, persons (or PNRs)
//! per second, MB/s, per second of the thread's CPU time (and the share
//! of a core the thread got).

use std::hint::black_box;
use std::time::{Duration, Instant};

use centinela_edifact::paxlst::{Flight, FlightPlace, ListKind, Person, PersonRole, TravelDocument};
use centinela_edifact::pnrgov::{Baggage, Docs, Leg, Passenger, Payment, Pnr, Seat, Ticket};
use centinela_edifact::{Date, DateTime, Envelope, Header, Interchange, Message, Paxlst, Pnrgov, parse, write};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
    fn alnum(&mut self, n: usize) -> String {
        const A: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
        (0..n).map(|_| A[(self.next() % A.len() as u64) as usize] as char).collect()
    }
}

const SURNAMES: &[&str] = &["GARCIA LOPEZ", "HERNANDEZ", "OKAFOR", "NGUYEN", "DE LA CRUZ", "SINGH", "MOREIRA"];
const GIVEN: &[&str] = &["MARIA JOSE", "CHINEDU", "ANA", "JOSE LUIS", "WEI", "FATIMA"];
const NAT: &[&str] = &["GTM", "HND", "NGA", "IND", "VEN", "CUB", "CHN"];

fn envelope() -> Option<Envelope> {
    Some(Envelope {
        syntax: "UNOC".into(),
        syntax_version: 4,
        sender: "CM".into(),
        recipient: "GTMUIP".into(),
        prepared: DateTime { date: Date::new(2026, 12, 6).unwrap(), time: Some((14, 5)) },
        control_reference: "1".into(),
        group: None,
    })
}

fn header(kind: &str, r: &mut Rng) -> Header {
    let (version, release, agency) = if kind == "PAXLST" { ("D", "05B", "UN") } else { ("11", "1", "IA") };
    Header {
        reference: r.alnum(8),
        version: version.into(),
        release: release.into(),
        agency: agency.into(),
        association: Some("IATA".into()),
        common_access: Some("CM0421/261206/1530".into()),
        part: None,
    }
}

fn paxlst(persons: usize, r: &mut Rng) -> Interchange {
    let at = |h| Some(DateTime { date: Date::new(2026, 12, 6).unwrap(), time: Some((h, 30)) });
    let flight = Flight {
        number: "CM421".into(),
        carrier: Some("CM".into()),
        places: vec![
            FlightPlace { qualifier: "125".into(), airport: "PTY".into(), at: at(15) },
            FlightPlace { qualifier: "87".into(), airport: "GUA".into(), at: at(17) },
        ],
    };
    let persons = (0..persons)
        .map(|_| {
            let mut p = Person::new(PersonRole::Passenger, r.pick(SURNAMES));
            p.given_names = r.pick(GIVEN).split(' ').map(str::to_string).collect();
            p.sex = Some(r.pick(&["M", "F"]).into());
            p.birth_date =
                Date::new(1950 + (r.next() % 70) as u16, 1 + (r.next() % 12) as u8, 1 + (r.next() % 28) as u8);
            p.embarkation = Some("PTY".into());
            p.debarkation = Some("GUA".into());
            p.nationality = Some(r.pick(NAT).into());
            p.booking = Some(r.alnum(6));
            p.seat = Some(format!("{}{}", 1 + r.next() % 40, r.pick(&["A", "B", "C", "D"])));
            p.documents.push(TravelDocument {
                kind: "P".into(),
                number: r.alnum(9),
                expiry: Date::new(2030, 1, 1),
                issued: None,
                issuing_state: p.nationality.clone(),
            });
            p
        })
        .collect::<Vec<_>>();
    let total = Some(persons.len() as u32);
    let m = Paxlst {
        header: header("PAXLST", r),
        kind: ListKind::Passengers,
        document_id: None,
        references: Vec::new(),
        reporting_party: None,
        flight,
        persons,
        total,
    };
    Interchange { envelope: envelope(), messages: vec![Message::Paxlst(m)], warnings: Vec::new() }
}

fn pnrgov(records: usize, r: &mut Rng) -> Interchange {
    let leg = |from: &str, to: &str, h| Leg {
        departure: Some(DateTime { date: Date::new(2026, 12, 6).unwrap(), time: Some((h, 30)) }),
        arrival: Some(DateTime { date: Date::new(2026, 12, 6).unwrap(), time: Some((h + 2, 5)) }),
        from: from.into(),
        to: to.into(),
        carrier: "CM".into(),
        flight: "421".into(),
        class: Some("Y".into()),
    };
    let records = (0..records)
        .map(|_| {
            let passengers = (1..=2)
                .map(|i| {
                    let surname = r.pick(SURNAMES).to_string();
                    let given = r.pick(GIVEN).to_string();
                    Passenger {
                        surname: surname.clone(),
                        given_names: Some(given.clone()),
                        kind: Some("ADT".into()),
                        reference: Some(i.to_string()),
                        tickets: vec![Ticket {
                            number: format!("230{:010}", r.next() % 10_000_000_000),
                            kind: Some("T".into()),
                        }],
                        documents: vec![Docs {
                            kind: "P".into(),
                            issuing_state: Some(r.pick(NAT).into()),
                            number: r.alnum(9),
                            nationality: Some(r.pick(NAT).into()),
                            birth_date: Date::new(1950 + (r.next() % 70) as u16, 3, 14),
                            sex: Some("M".into()),
                            expiry: Date::new(2030, 1, 1),
                            surname: Some(surname),
                            given_names: Some(given),
                        }],
                    }
                })
                .collect();
            Pnr {
                carrier: "CM".into(),
                locator: r.alnum(6),
                created: Some(DateTime { date: Date::new(2026, 11, 1).unwrap(), time: Some((22, 10)) }),
                other_locators: vec![("1A".into(), r.alnum(6))],
                split: Vec::new(),
                agent: None,
                contacts: vec![format!("CTCM 507{:07}", r.next() % 10_000_000)],
                addresses: Vec::new(),
                payments: vec![Payment { kind: "CA".into(), ..Payment::default() }],
                passengers,
                itinerary: vec![leg("PTY", "GUA", 15), leg("GUA", "MEX", 18)],
                seats: vec![
                    Seat { leg: 0, seat: "23C".into(), passenger: Some("1".into()) },
                    Seat { leg: 0, seat: "23D".into(), passenger: Some("2".into()) },
                ],
                baggage: vec![Baggage {
                    leg: 0,
                    pieces: 2,
                    weight: Some(46),
                    unit: Some("700".into()),
                    tags: Some(("CM".into(), "0230123456".into(), 2)),
                    passenger: Some("1".into()),
                }],
            }
        })
        .collect::<Vec<_>>();
    let m = Pnrgov {
        header: header("PNRGOV", r),
        function: "22".into(),
        sender: Some(("CM".into(), Some("PTY".into()))),
        flight: Some(leg("PTY", "GUA", 15)),
        stated_count: Some(records.len() as u32),
        records,
    };
    Interchange { envelope: envelope(), messages: vec![Message::Pnrgov(m)], warnings: Vec::new() }
}

/// This thread's CPU time (Linux's /proc/thread-self/schedstat, first
/// field, nanoseconds): on a machine shared with other builds the wall clock
/// measures the load, the CPU time the work.
fn cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(s.split_whitespace().next()?.parse().ok()?))
}

fn time(name: &str, unit: &str, per_message: usize, inputs: &[String]) {
    let bytes: usize = inputs.iter().map(String::len).sum::<usize>() / inputs.len();
    for s in inputs.iter().take(4) {
        assert!(parse(s.as_bytes(), 2026).is_ok());
    }
    let budget = Duration::from_secs(2);
    let started = Instant::now();
    let cpu_started = cpu();
    let mut n = 0usize;
    while started.elapsed() < budget {
        for s in inputs {
            black_box(parse(black_box(s.as_bytes()), 2026).unwrap());
        }
        n += inputs.len();
    }
    let wall = started.elapsed().as_secs_f64();
    let secs = match (cpu_started, cpu()) {
        (Some(a), Some(b)) => (b - a).as_secs_f64(),
        _ => wall,
    };
    let rate = n as f64 / secs;
    println!(
        "{name:<20} {bytes:>6} bytes  {rate:>8.0} messages/s  {:>8.0} {unit}/s  {:>6.1} MB/s  (per CPU second; {n} parsed, {:.0}% of a core)",
        rate * per_message as f64,
        rate * bytes as f64 / 1e6,
        100.0 * secs / wall
    );
}

fn main() {
    let mut r = Rng(23);
    for persons in [1, 30, 300] {
        let inputs: Vec<String> = (0..64).map(|_| write(&paxlst(persons, &mut r))).collect();
        time(&format!("PAXLST {persons} persons"), "persons", persons, &inputs);
    }
    for records in [1, 30] {
        let inputs: Vec<String> = (0..64).map(|_| write(&pnrgov(records, &mut r))).collect();
        time(&format!("PNRGOV {records} PNRs"), "PNRs", records, &inputs);
    }
}
