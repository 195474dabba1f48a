//! PNRGOV: Passenger Name Records pushed by carriers to states (IATA PADIS
//! PNRGOV implementation guide).
//!
//! The message's order: MSG; ORG (the sender); TVL (the flight the push is
//! for); EQN (how many PNRs); then one SRC group per PNR: RCI (the booking
//! reference), SPL (PNRs split from this one), its ORG (the travel agent),
//! ADD and IFT 4:28 (contact), FOP (form of payment), and TIF groups (one
//! per passenger: TKT, SSR DOCS) and TVL groups (the itinerary: SSD seats,
//! TBD baggage) in any order. Dates are PADIS's `DDMMYY`. Known segments not
//! kept here (DAT, MON, PTK, FAR, FTI, LTS, RPI, APD, REF, EBD, TXD, ABI,
//! SAC, TRI …) are skipped; an unknown one is skipped with a warning.

use serde::Serialize;

use crate::date::{self, Century};
use crate::paxlst::Address;
use crate::syntax::Segment;
use crate::write::Writer;
use crate::{Ctx, Date, DateTime, Error, ErrorKind, Header, WarningKind};

/// A flight leg (TVL): date and time of departure and arrival (local), the
/// airports, the carrier and flight number, the booking class.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Leg {
    pub departure: Option<DateTime>,
    pub arrival: Option<DateTime>,
    pub from: String,
    pub to: String,
    pub carrier: String,
    pub flight: String,
    pub class: Option<String>,
}

/// The travel agent or office that made the booking (ORG in the PNR).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Agent {
    /// The airline or reservation system (C336 1), and its location code.
    pub system: String,
    pub location: Option<String>,
    /// The agency's IATA number (C300 1).
    pub agency: Option<String>,
    /// The agency's country (ISO 3166 alpha-2 or -3).
    pub country: Option<String>,
}

/// FOP: how the booking was paid.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Payment {
    /// CA cash, CC card, CK cheque, MS miscellaneous, IN invoice …
    pub kind: String,
    /// Amount as sent.
    pub amount: Option<String>,
    /// The card's vendor (VI, CA, AX …).
    pub vendor: Option<String>,
    /// The account or card number (masked by most carriers).
    pub account: Option<String>,
    /// MMYY.
    pub expiry: Option<String>,
}

impl Payment {
    pub fn is_cash(&self) -> bool {
        self.kind == "CA"
    }
}

/// TKT: a ticket.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Ticket {
    pub number: String,
    /// Document type (T ticket, Y EMD …).
    pub kind: Option<String>,
}

/// SSR DOCS: the travel document the passenger gave.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Docs {
    pub kind: String,
    pub issuing_state: Option<String>,
    pub number: String,
    pub nationality: Option<String>,
    pub birth_date: Option<Date>,
    /// M, F, MI, FI (infants), U, X.
    pub sex: Option<String>,
    pub expiry: Option<Date>,
    pub surname: Option<String>,
    pub given_names: Option<String>,
}

/// TIF and its group: one passenger.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Passenger {
    pub surname: String,
    pub given_names: Option<String>,
    /// Passenger type code (ADT, CHD, INF …).
    pub kind: Option<String>,
    /// The passenger's reference inside the PNR (seats and baggage name it).
    pub reference: Option<String>,
    pub tickets: Vec<Ticket>,
    pub documents: Vec<Docs>,
}

/// SSD: a seat on one leg.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Seat {
    /// Index into the PNR's itinerary.
    pub leg: usize,
    pub seat: String,
    pub passenger: Option<String>,
}

/// TBD: checked baggage on one leg.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Baggage {
    pub leg: usize,
    pub pieces: u32,
    /// Weight in the unit sent (700 kilograms, 701 pounds).
    pub weight: Option<u32>,
    pub unit: Option<String>,
    /// Tag numbers: the carrier, the first tag and how many follow in sequence.
    pub tags: Option<(String, String, u32)>,
    pub passenger: Option<String>,
}

/// One PNR (an SRC group).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Pnr {
    /// RCI: the carrier and its record locator (the booking reference).
    pub carrier: String,
    pub locator: String,
    /// When the booking was created (RCI date and time).
    pub created: Option<DateTime>,
    /// Other systems' locators for the same booking (further RCI elements).
    pub other_locators: Vec<(String, String)>,
    /// SPL: locators of PNRs split (divided) from this one.
    pub split: Vec<String>,
    pub agent: Option<Agent>,
    /// IFT 4:28: contact texts (phones, e-mails) as sent.
    pub contacts: Vec<String>,
    pub addresses: Vec<Address>,
    pub payments: Vec<Payment>,
    pub passengers: Vec<Passenger>,
    pub itinerary: Vec<Leg>,
    pub seats: Vec<Seat>,
    pub baggage: Vec<Baggage>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pnrgov {
    pub header: Header,
    /// MSG's function code (22: push of PNR data).
    pub function: String,
    /// ORG: the sending carrier (and its location).
    pub sender: Option<(String, Option<String>)>,
    /// TVL: the flight the push is for.
    pub flight: Option<Leg>,
    /// EQN: the number of PNRs the carrier says it sends.
    pub stated_count: Option<u32>,
    pub records: Vec<Pnr>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    #[default]
    Start,
    Head,
    Record,
    Passenger,
    Leg,
}

#[derive(Default)]
pub(crate) struct Reader {
    stage: Stage,
    function: String,
    sender: Option<(String, Option<String>)>,
    flight: Option<Leg>,
    count: Option<u32>,
    records: Vec<Pnr>,
    /// The current SRC has its RCI.
    has_rci: bool,
}

const SKIPPED: &[&str] = &[
    "DAT", "MON", "PTK", "FAR", "FTI", "LTS", "RPI", "APD", "REF", "EBD", "TXD", "ABI", "SAC", "TRI", "TRA", "DCS",
    "EQN", "CVR", "FCA",
];

fn ddmmyy(v: &str, year: u16, rule: Century) -> Option<Date> {
    if v.len() != 6 || !v.is_ascii() {
        return None;
    }
    let yymmdd = format!("{}{}{}", &v[4..6], &v[2..4], &v[..2]);
    date::parse(&yymmdd, Some("101"), year, rule).map(|d| d.date)
}

const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

fn ddmmmyy(v: &str, year: u16, rule: Century) -> Option<Date> {
    if v.len() != 7 || !v.is_ascii() {
        return None;
    }
    let m = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(&v[2..5]))? + 1;
    ddmmyy(&format!("{}{m:02}{}", &v[..2], &v[5..]), year, rule)
}

fn fmt_ddmmyy(d: &Date) -> String {
    format!("{:02}{:02}{:02}", d.day, d.month, d.year % 100)
}

fn fmt_ddmmmyy(d: &Date) -> String {
    format!("{:02}{}{:02}", d.day, MONTHS[(d.month - 1) as usize], d.year % 100)
}

impl Reader {
    fn unexpected(ctx: &Ctx<'_>, seg: &Segment<'_, '_>) -> Error {
        ctx.err(seg, None, None, ErrorKind::UnexpectedSegment)
    }

    fn record(&mut self, ctx: &Ctx<'_>, seg: &Segment<'_, '_>) -> Result<&mut Pnr, Error> {
        if !self.has_rci {
            return Err(ctx.err(seg, None, None, ErrorKind::MissingSegment { expected: "RCI" }));
        }
        self.records.last_mut().ok_or_else(|| Self::unexpected(ctx, seg))
    }

    fn leg(&self, ctx: &Ctx<'_>, seg: &Segment<'_, '_>) -> Result<Leg, Error> {
        let year = ctx.year;
        let when = |d: usize, t: usize| -> Result<Option<DateTime>, Error> {
            let Some(v) = seg.get(1, d) else { return Ok(None) };
            let date = ddmmyy(v, year, Century::Near)
                .ok_or_else(|| ctx.err(seg, Some(1), Some(d), ErrorKind::InvalidValue { what: "date" }))?;
            let time = match seg.get(1, t) {
                None => None,
                Some(t2) => Some(
                    date::parse_time(t2)
                        .ok_or_else(|| ctx.err(seg, Some(1), Some(t), ErrorKind::InvalidValue { what: "time" }))?,
                ),
            };
            Ok(Some(DateTime { date, time }))
        };
        Ok(Leg {
            departure: when(1, 2)?,
            arrival: when(3, 4)?,
            from: ctx.need(seg, 2, 1, "departure airport")?.to_string(),
            to: ctx.need(seg, 3, 1, "arrival airport")?.to_string(),
            carrier: ctx.need(seg, 4, 1, "carrier")?.to_string(),
            flight: ctx.need(seg, 5, 1, "flight number")?.to_string(),
            class: ctx.opt(seg, 5, 2),
        })
    }

    pub fn segment(&mut self, seg: &Segment<'_, '_>, ctx: &mut Ctx<'_>) -> Result<(), Error> {
        let tag = seg.tag.as_str();
        if self.stage == Stage::Start && tag != "MSG" {
            return Err(ctx.err(seg, None, None, ErrorKind::MissingSegment { expected: "MSG" }));
        }
        match tag {
            "MSG" => {
                if self.stage != Stage::Start {
                    return Err(Self::unexpected(ctx, seg));
                }
                self.function = ctx.need(seg, 1, 2, "message function")?.to_string();
                self.stage = Stage::Head;
            }
            "EQN" if self.stage == Stage::Head => {
                self.count = Some(ctx.number(seg, 1, 1, "number of PNRs")?);
            }
            "SRC" => {
                if !self.records.is_empty() && !self.has_rci {
                    return Err(ctx.err(seg, None, None, ErrorKind::MissingSegment { expected: "RCI" }));
                }
                self.records.push(Pnr::default());
                self.has_rci = false;
                self.stage = Stage::Record;
            }
            "RCI" => {
                if self.stage < Stage::Record || self.has_rci {
                    return Err(Self::unexpected(ctx, seg));
                }
                let carrier = ctx.need(seg, 1, 1, "carrier")?.to_string();
                let locator = ctx.need(seg, 1, 2, "record locator")?.to_string();
                let created = match seg.get(1, 4) {
                    None => None,
                    Some(d) => {
                        let date = ddmmyy(d, ctx.year, Century::Past)
                            .ok_or_else(|| ctx.err(seg, Some(1), Some(4), ErrorKind::InvalidValue { what: "date" }))?;
                        let time = match seg.get(1, 5) {
                            None => None,
                            Some(t) => Some(date::parse_time(t).ok_or_else(|| {
                                ctx.err(seg, Some(1), Some(5), ErrorKind::InvalidValue { what: "time" })
                            })?),
                        };
                        Some(DateTime { date, time })
                    }
                };
                let mut other = Vec::new();
                for e in 2..=seg.elements() {
                    if let (Some(c), Some(l)) = (seg.get(e, 1), seg.get(e, 2)) {
                        other.push((c.to_string(), l.to_string()));
                    }
                }
                let r = self.records.last_mut().ok_or_else(|| Self::unexpected(ctx, seg))?;
                r.carrier = carrier;
                r.locator = locator;
                r.created = created;
                r.other_locators = other;
                self.has_rci = true;
            }
            "ORG" if self.stage == Stage::Head => {
                let s = ctx.need(seg, 1, 1, "sender")?.to_string();
                self.sender = Some((s, ctx.opt(seg, 1, 2)));
            }
            "TVL" if self.stage == Stage::Head => {
                if self.flight.is_some() {
                    return Err(Self::unexpected(ctx, seg));
                }
                self.flight = Some(self.leg(ctx, seg)?);
            }
            "TVL" => {
                let leg = self.leg(ctx, seg)?;
                self.record(ctx, seg)?.itinerary.push(leg);
                self.stage = Stage::Leg;
            }
            "SPL" => {
                let split: Vec<String> =
                    (1..=seg.elements()).filter_map(|e| seg.get(e, 1)).map(str::to_string).collect();
                if split.is_empty() {
                    return Err(ctx.err(seg, Some(1), Some(1), ErrorKind::MissingValue { what: "record locator" }));
                }
                self.record(ctx, seg)?.split.extend(split);
            }
            "ORG" => {
                let agent = Agent {
                    system: ctx.need(seg, 1, 1, "agent's system")?.to_string(),
                    location: ctx.opt(seg, 1, 2),
                    agency: ctx.opt(seg, 2, 1),
                    country: ctx.opt(seg, 5, 1),
                };
                let r = self.record(ctx, seg)?;
                if r.agent.is_none() {
                    r.agent = Some(agent);
                }
            }
            "ADD" => {
                let a = Address {
                    street: ctx.opt(seg, 2, 2),
                    city: ctx.opt(seg, 2, 3),
                    region: ctx.opt(seg, 2, 4),
                    postcode: ctx.opt(seg, 2, 5),
                    country: ctx.opt(seg, 2, 6),
                };
                self.record(ctx, seg)?.addresses.push(a);
            }
            "IFT" => {
                let contact = seg.get(1, 1) == Some("4") && seg.get(1, 2) == Some("28");
                if contact {
                    let text = ctx.need(seg, 2, 1, "contact")?.to_string();
                    self.record(ctx, seg)?.contacts.push(text);
                } else if self.stage < Stage::Record {
                    return Err(Self::unexpected(ctx, seg));
                }
            }
            "FOP" => {
                let mut payments = Vec::new();
                for e in 1..=seg.elements() {
                    let Some(kind) = seg.get(e, 1) else { continue };
                    payments.push(Payment {
                        kind: kind.to_string(),
                        amount: ctx.opt(seg, e, 3),
                        vendor: ctx.opt(seg, e, 4),
                        account: ctx.opt(seg, e, 5),
                        expiry: ctx.opt(seg, e, 6),
                    });
                }
                if payments.is_empty() {
                    return Err(ctx.err(seg, Some(1), Some(1), ErrorKind::MissingValue { what: "form of payment" }));
                }
                self.record(ctx, seg)?.payments.extend(payments);
            }
            "TIF" if self.stage >= Stage::Record => {
                let p = Passenger {
                    surname: ctx.need(seg, 1, 1, "surname")?.to_string(),
                    given_names: ctx.opt(seg, 2, 1),
                    kind: ctx.opt(seg, 2, 2),
                    reference: ctx.opt(seg, 2, 3),
                    tickets: Vec::new(),
                    documents: Vec::new(),
                };
                self.record(ctx, seg)?.passengers.push(p);
                self.stage = Stage::Passenger;
            }
            "TKT" => {
                if self.stage != Stage::Passenger {
                    return Err(Self::unexpected(ctx, seg));
                }
                let t = Ticket { number: ctx.need(seg, 1, 1, "ticket number")?.to_string(), kind: ctx.opt(seg, 1, 2) };
                self.passenger(ctx, seg)?.tickets.push(t);
            }
            "SSR" => {
                if seg.get(1, 1) != Some("DOCS") {
                    return if self.stage >= Stage::Record { Ok(()) } else { Err(Self::unexpected(ctx, seg)) };
                }
                if self.stage != Stage::Passenger {
                    return Err(Self::unexpected(ctx, seg));
                }
                let docs = self.docs(seg, ctx)?;
                self.passenger(ctx, seg)?.documents.push(docs);
            }
            "SSD" => {
                if self.stage != Stage::Leg {
                    return Err(Self::unexpected(ctx, seg));
                }
                let seat = ctx.need(seg, 1, 1, "seat")?.to_string();
                let passenger = ctx.opt(seg, 2, 1);
                let r = self.record(ctx, seg)?;
                let leg = r.itinerary.len() - 1;
                r.seats.push(Seat { leg, seat, passenger });
            }
            "TBD" => {
                if self.stage != Stage::Leg {
                    return Err(Self::unexpected(ctx, seg));
                }
                let pieces = ctx.number(seg, 2, 1, "pieces")?;
                let weight = match seg.get(2, 2) {
                    None => None,
                    Some(_) => Some(ctx.number(seg, 2, 2, "weight")?),
                };
                let tags = match seg.get(4, 2) {
                    None => None,
                    Some(first) => Some((
                        ctx.need(seg, 4, 1, "tag carrier")?.to_string(),
                        first.to_string(),
                        ctx.number(seg, 4, 3, "tag count")?,
                    )),
                };
                let b =
                    Baggage { leg: 0, pieces, weight, unit: ctx.opt(seg, 2, 3), tags, passenger: ctx.opt(seg, 3, 1) };
                let r = self.record(ctx, seg)?;
                let leg = r.itinerary.len() - 1;
                r.baggage.push(Baggage { leg, ..b });
            }
            t if SKIPPED.contains(&t) => {
                if self.stage < Stage::Head {
                    return Err(Self::unexpected(ctx, seg));
                }
            }
            _ => ctx.warn(seg, WarningKind::UnknownSegment),
        }
        Ok(())
    }

    fn passenger(&mut self, ctx: &Ctx<'_>, seg: &Segment<'_, '_>) -> Result<&mut Passenger, Error> {
        self.record(ctx, seg)?.passengers.last_mut().ok_or_else(|| Self::unexpected(ctx, seg))
    }

    /// SSR DOCS's free text: `/P/GBR/123456789/GBR/12JUL64/M/23AUG19/SURNAME/GIVEN`,
    /// in the last non-empty component of its first element.
    fn docs(&self, seg: &Segment<'_, '_>, ctx: &Ctx<'_>) -> Result<Docs, Error> {
        let el = seg.element(1);
        let (c, text) = el
            .iter()
            .enumerate()
            .rev()
            .find(|(_, v)| v.starts_with('/'))
            .ok_or_else(|| ctx.err(seg, Some(1), None, ErrorKind::MissingValue { what: "DOCS text" }))?;
        let bad = |what| ctx.err(seg, Some(1), Some(c + 1), ErrorKind::InvalidValue { what });
        let f: Vec<&str> = text[1..].split('/').collect();
        if f.len() < 3 || f.len() > 9 {
            return Err(bad("DOCS text"));
        }
        let get = |i: usize| f.get(i).filter(|v| !v.is_empty()).map(|v| v.to_string());
        let date = |i: usize, rule| -> Result<Option<Date>, Error> {
            match f.get(i).filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(v) => ddmmmyy(v, ctx.year, rule).map(Some).ok_or_else(|| bad("date")),
            }
        };
        Ok(Docs {
            kind: get(0).ok_or_else(|| bad("document type"))?,
            issuing_state: get(1),
            number: get(2).ok_or_else(|| bad("document number"))?,
            nationality: get(3),
            birth_date: date(4, Century::Past)?,
            sex: get(5),
            expiry: date(6, Century::Near)?,
            surname: get(7),
            given_names: get(8),
        })
    }

    pub fn finish(self, header: Header, unt: &Segment<'_, '_>, ctx: &mut Ctx<'_>) -> Result<Pnrgov, Error> {
        if self.stage == Stage::Start {
            return Err(ctx.err(unt, None, None, ErrorKind::MissingSegment { expected: "MSG" }));
        }
        if !self.records.is_empty() && !self.has_rci {
            return Err(ctx.err(unt, None, None, ErrorKind::MissingSegment { expected: "RCI" }));
        }
        let single = header.part.is_none_or(|p| p.sequence == 1 && p.last);
        if let (Some(n), true) = (self.count, single)
            && n as usize != self.records.len()
        {
            ctx.warn(unt, WarningKind::PersonCountMismatch);
        }
        Ok(Pnrgov {
            header,
            function: self.function,
            sender: self.sender,
            flight: self.flight,
            stated_count: self.count,
            records: self.records,
        })
    }
}

fn write_leg(w: &mut Writer, l: &Leg) {
    let when = |d: &Option<DateTime>| match d {
        Some(d) => (fmt_ddmmyy(&d.date), d.time.map(date::hhmm).unwrap_or_default()),
        None => (String::new(), String::new()),
    };
    let (dd, dt) = when(&l.departure);
    let (ad, at) = when(&l.arrival);
    w.seg(
        "TVL",
        &[&[&dd, &dt, &ad, &at], &[&l.from], &[&l.to], &[&l.carrier], &[&l.flight, l.class.as_deref().unwrap_or("")]],
    );
}

/// Writes one PNRGOV message (UNH…UNT).
pub(crate) fn write(m: &Pnrgov, w: &mut Writer) {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    w.unh(&m.header, "PNRGOV");
    w.seg("MSG", &[&["", &m.function]]);
    if let Some((s, l)) = &m.sender {
        w.seg("ORG", &[&[s, &o(l)]]);
    }
    if let Some(f) = &m.flight {
        write_leg(w, f);
    }
    if let Some(n) = m.stated_count {
        w.seg("EQN", &[&[&n.to_string()]]);
    }
    for r in &m.records {
        w.seg("SRC", &[]);
        let (d, t) = match &r.created {
            Some(c) => (fmt_ddmmyy(&c.date), c.time.map(date::hhmm).unwrap_or_default()),
            None => (String::new(), String::new()),
        };
        let mut rci: Vec<Vec<&str>> = vec![vec![&r.carrier, &r.locator, "", &d, &t]];
        for (c, l) in &r.other_locators {
            rci.push(vec![c, l]);
        }
        let rci: Vec<&[&str]> = rci.iter().map(Vec::as_slice).collect();
        w.seg("RCI", &rci);
        if !r.split.is_empty() {
            let els: Vec<[&str; 1]> = r.split.iter().map(|s| [s.as_str()]).collect();
            for chunk in els.chunks(9) {
                let chunk: Vec<&[&str]> = chunk.iter().map(|e| e.as_slice()).collect();
                w.seg("SPL", &chunk);
            }
        }
        if let Some(a) = &r.agent {
            w.seg("ORG", &[&[&a.system, &o(&a.location)], &[&o(&a.agency)], &[], &[], &[&o(&a.country)]]);
        }
        for a in &r.addresses {
            let v = [o(&a.street), o(&a.city), o(&a.region), o(&a.postcode), o(&a.country)];
            w.seg("ADD", &[&[], &["700", &v[0], &v[1], &v[2], &v[3], &v[4]]]);
        }
        for c in &r.contacts {
            w.seg("IFT", &[&["4", "28"], &[c]]);
        }
        for p in &r.payments {
            let v = [o(&p.amount), o(&p.vendor), o(&p.account), o(&p.expiry)];
            w.seg("FOP", &[&[&p.kind, "", &v[0], &v[1], &v[2], &v[3]]]);
        }
        for p in &r.passengers {
            w.seg("TIF", &[&[&p.surname], &[&o(&p.given_names), &o(&p.kind), &o(&p.reference)]]);
            for t in &p.tickets {
                w.seg("TKT", &[&[&t.number, &o(&t.kind)]]);
            }
            for d in &p.documents {
                let date = |d: &Option<Date>| d.as_ref().map(fmt_ddmmmyy).unwrap_or_default();
                let text = format!(
                    "/{}/{}/{}/{}/{}/{}/{}/{}/{}",
                    d.kind,
                    o(&d.issuing_state),
                    d.number,
                    o(&d.nationality),
                    date(&d.birth_date),
                    o(&d.sex),
                    date(&d.expiry),
                    o(&d.surname),
                    o(&d.given_names)
                );
                w.seg("SSR", &[&["DOCS", "HK", "1", &r.carrier, "", "", "", "", "", &text]]);
            }
        }
        for (i, l) in r.itinerary.iter().enumerate() {
            write_leg(w, l);
            for s in r.seats.iter().filter(|s| s.leg == i) {
                w.seg("SSD", &[&[&s.seat], &[&o(&s.passenger)]]);
            }
            for b in r.baggage.iter().filter(|b| b.leg == i) {
                let weight = b.weight.map(|w| w.to_string()).unwrap_or_default();
                let (tc, tf, tn) = match &b.tags {
                    Some((c, f, n)) => (c.clone(), f.clone(), n.to_string()),
                    None => Default::default(),
                };
                w.seg(
                    "TBD",
                    &[&[], &[&b.pieces.to_string(), &weight, &o(&b.unit)], &[&o(&b.passenger)], &[&tc, &tf, &tn]],
                );
            }
        }
    }
    w.unt(&m.header);
}
