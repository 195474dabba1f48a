//! PAXLST: passenger and crew lists (Advance Passenger Information) per the
//! WCO/IATA/ICAO API guidelines, directories D02B and D05B.
//!
//! The message's order, as the guidelines give it: BGM; optional RFF and
//! DTM of the message; the reporting party (NAD+MS with its COM); the
//! flight (TDT, then LOC 125/87/92 each with its DTM 189/232); then one
//! group per person (NAD+FL/FM/DDU/DDT with ATT, DTM 329, LOC, NAT, RFF,
//! COM, and DOC groups with DTM 36/182 and LOC 91); and CNT. A segment out
//! of that order is an error; a known segment this reader does not model
//! (GEI, FTX, EMP, FAN …) is skipped, an unknown one skipped with a warning.

use serde::Serialize;

use crate::date::Century;
use crate::syntax::Segment;
use crate::write::Writer;
use crate::{Ctx, DateTime, Error, ErrorKind, Header, WarningKind};

/// BGM's document name code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// 745: passenger list.
    Passengers,
    /// 250: crew list declaration.
    Crew,
    /// Another code (e.g. 266, 655 for flight-close or master crew lists).
    Other(String),
}

impl ListKind {
    fn parse(code: &str) -> ListKind {
        match code {
            "745" => ListKind::Passengers,
            "250" => ListKind::Crew,
            c => ListKind::Other(c.to_string()),
        }
    }
    pub fn code(&self) -> &str {
        match self {
            ListKind::Passengers => "745",
            ListKind::Crew => "250",
            ListKind::Other(c) => c,
        }
    }
}

/// NAD's party qualifier for a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonRole {
    /// FL
    Passenger,
    /// FM
    Crew,
    /// DDU: passenger in transit
    TransitPassenger,
    /// DDT: crew in transit
    TransitCrew,
}

impl PersonRole {
    fn parse(q: &str) -> Option<PersonRole> {
        Some(match q {
            "FL" => PersonRole::Passenger,
            "FM" => PersonRole::Crew,
            "DDU" => PersonRole::TransitPassenger,
            "DDT" => PersonRole::TransitCrew,
            _ => return None,
        })
    }
    pub fn code(self) -> &'static str {
        match self {
            PersonRole::Passenger => "FL",
            PersonRole::Crew => "FM",
            PersonRole::TransitPassenger => "DDU",
            PersonRole::TransitCrew => "DDT",
        }
    }
    pub fn is_crew(self) -> bool {
        matches!(self, PersonRole::Crew | PersonRole::TransitCrew)
    }
}

/// NAD+MS: who reports, and how to reach them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReportingParty {
    pub name: String,
    pub phone: Option<String>,
    pub fax: Option<String>,
}

/// One LOC with its DTM, in the flight's group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlightPlace {
    /// 125 last departure, 87 first arrival, 92 routing.
    pub qualifier: String,
    /// IATA airport code.
    pub airport: String,
    /// DTM 189 (departure) or 232 (arrival), local time.
    pub at: Option<DateTime>,
}

/// TDT and its LOC/DTM: the flight.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Flight {
    /// TDT 8028: the flight's identification as the carrier writes it (`UA123`).
    pub number: String,
    /// TDT C040: the carrier's code.
    pub carrier: Option<String>,
    pub places: Vec<FlightPlace>,
}

impl Flight {
    pub fn departure(&self) -> Option<&FlightPlace> {
        self.places.iter().find(|p| p.qualifier == "125")
    }
    pub fn arrival(&self) -> Option<&FlightPlace> {
        self.places.iter().rev().find(|p| p.qualifier == "87")
    }
}

/// A postal address (NAD's C059 street, city, C819 region, postcode, country).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Address {
    pub street: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postcode: Option<String>,
    pub country: Option<String>,
}

impl Address {
    fn is_empty(&self) -> bool {
        self.street.is_none()
            && self.city.is_none()
            && self.region.is_none()
            && self.postcode.is_none()
            && self.country.is_none()
    }
}

/// DOC with its DTM and LOC.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TravelDocument {
    /// Document name code: P passport, V visa, I/A/C identity cards …
    pub kind: String,
    pub number: String,
    /// DTM 36.
    pub expiry: Option<crate::Date>,
    /// DTM 182.
    pub issued: Option<crate::Date>,
    /// LOC 91: issuing state (ISO 3166 alpha-3).
    pub issuing_state: Option<String>,
}

/// One person's group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Person {
    pub role: PersonRole,
    pub surname: String,
    pub given_names: Vec<String>,
    pub address: Option<Address>,
    /// ATT+2: M, F, U or X as sent.
    pub sex: Option<String>,
    /// DTM 329.
    pub birth_date: Option<crate::Date>,
    /// LOC 178, 179, 22: airports.
    pub embarkation: Option<String>,
    pub debarkation: Option<String>,
    pub clearance: Option<String>,
    /// LOC 174: country of residence.
    pub residence: Option<String>,
    /// LOC 180: place of birth (code or name as sent).
    pub birth_place: Option<String>,
    /// NAT+2.
    pub nationality: Option<String>,
    /// RFF+AVF: the booking reference (the PNR's locator).
    pub booking: Option<String>,
    /// RFF+SEA.
    pub seat: Option<String>,
    /// Other RFF qualifiers and values (ABO bag tags, CR, ZZZ …).
    pub references: Vec<(String, String)>,
    /// COM numbers (phone, e-mail) as sent.
    pub contacts: Vec<String>,
    pub documents: Vec<TravelDocument>,
}

impl Person {
    pub fn new(role: PersonRole, surname: &str) -> Person {
        Person {
            role,
            surname: surname.to_string(),
            given_names: Vec::new(),
            address: None,
            sex: None,
            birth_date: None,
            embarkation: None,
            debarkation: None,
            clearance: None,
            residence: None,
            birth_place: None,
            nationality: None,
            booking: None,
            seat: None,
            references: Vec::new(),
            contacts: Vec::new(),
            documents: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Paxlst {
    pub header: Header,
    pub kind: ListKind,
    /// BGM 1004: the document identifier, if any.
    pub document_id: Option<String>,
    /// RFF of the message (TN: the transaction reference …).
    pub references: Vec<(String, String)>,
    pub reporting_party: Option<ReportingParty>,
    pub flight: Flight,
    pub persons: Vec<Person>,
    /// CNT+42 (passengers) or CNT+41 (crew): the total the carrier states.
    pub total: Option<u32>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    #[default]
    Start,
    Head,
    Reporting,
    Flight,
    Person,
    Document,
    Count,
}

#[derive(Default)]
pub(crate) struct Reader {
    stage: Stage,
    kind: Option<ListKind>,
    document_id: Option<String>,
    references: Vec<(String, String)>,
    reporting: Option<ReportingParty>,
    flight: Option<Flight>,
    persons: Vec<Person>,
    total: Option<u32>,
    /// The current person is of an unknown party and is being skipped.
    skipping: bool,
}

/// Segments of PAXLST this reader knows but does not keep.
const SKIPPED: &[&str] = &["GEI", "FTX", "EMP", "FAN", "QTY", "CTA", "MEA", "ERC"];

impl Reader {
    fn unexpected(ctx: &Ctx<'_>, seg: &Segment<'_, '_>) -> Error {
        ctx.err(seg, None, None, ErrorKind::UnexpectedSegment)
    }

    pub fn segment(&mut self, seg: &Segment<'_, '_>, ctx: &mut Ctx<'_>) -> Result<(), Error> {
        let tag = seg.tag.as_str();
        if self.stage == Stage::Start && tag != "BGM" {
            return Err(ctx.err(seg, None, None, ErrorKind::MissingSegment { expected: "BGM" }));
        }
        if self.skipping && !matches!(tag, "NAD" | "CNT") {
            return Ok(());
        }
        match tag {
            "BGM" => {
                if self.stage != Stage::Start {
                    return Err(Self::unexpected(ctx, seg));
                }
                self.kind = Some(ListKind::parse(ctx.need(seg, 1, 1, "document name code")?));
                self.document_id = ctx.opt(seg, 2, 1);
                self.stage = Stage::Head;
            }
            "RFF" => {
                let q = ctx.need(seg, 1, 1, "reference qualifier")?.to_string();
                let v = ctx.need(seg, 1, 2, "reference")?.to_string();
                match self.stage {
                    Stage::Head => self.references.push((q, v)),
                    Stage::Person | Stage::Document => {
                        let p = self.person(ctx, seg)?;
                        match q.as_str() {
                            "AVF" if p.booking.is_none() => p.booking = Some(v),
                            "SEA" if p.seat.is_none() => p.seat = Some(v),
                            _ => p.references.push((q, v)),
                        }
                    }
                    _ => return Err(Self::unexpected(ctx, seg)),
                }
            }
            "DTM" => {
                let q = ctx.need(seg, 1, 1, "date qualifier")?;
                let format = seg.get(1, 3);
                match (self.stage, q) {
                    (Stage::Head, _) => {
                        ctx.date(seg, 1, 2, format, Century::Near)?;
                    }
                    (Stage::Flight, "189" | "232") => {
                        let at = ctx.date(seg, 1, 2, format, Century::Near)?;
                        let place = self.flight.as_mut().and_then(|f| f.places.last_mut());
                        match place {
                            Some(p) if p.at.is_none() => p.at = Some(at),
                            _ => return Err(Self::unexpected(ctx, seg)),
                        }
                    }
                    (Stage::Person, "329") => {
                        let d = ctx.date(seg, 1, 2, format, Century::Past)?.date;
                        self.person(ctx, seg)?.birth_date = Some(d);
                    }
                    (Stage::Document, "36" | "182") => {
                        let d = ctx.date(seg, 1, 2, format, Century::Near)?.date;
                        let doc = self.document(ctx, seg)?;
                        if q == "36" { doc.expiry = Some(d) } else { doc.issued = Some(d) }
                    }
                    (Stage::Person | Stage::Document | Stage::Flight, _) => {
                        ctx.date(seg, 1, 2, format, Century::Near)?;
                        ctx.warn(seg, WarningKind::UnknownQualifier);
                    }
                    _ => return Err(Self::unexpected(ctx, seg)),
                }
            }
            "NAD" => {
                let q = ctx.need(seg, 1, 1, "party qualifier")?;
                if q == "MS" {
                    if self.stage > Stage::Head {
                        return Err(Self::unexpected(ctx, seg));
                    }
                    let name = ctx.opt(seg, 4, 1).or_else(|| ctx.opt(seg, 3, 1)).ok_or_else(|| {
                        ctx.err(seg, Some(4), Some(1), ErrorKind::MissingValue { what: "party name" })
                    })?;
                    self.reporting = Some(ReportingParty { name, phone: None, fax: None });
                    self.stage = Stage::Reporting;
                    return Ok(());
                }
                if self.stage < Stage::Flight || self.stage == Stage::Count {
                    return Err(if self.flight.is_none() && self.stage != Stage::Count {
                        ctx.err(seg, None, None, ErrorKind::MissingSegment { expected: "TDT" })
                    } else {
                        Self::unexpected(ctx, seg)
                    });
                }
                let Some(role) = PersonRole::parse(q) else {
                    ctx.warn(seg, WarningKind::UnknownQualifier);
                    self.skipping = true;
                    self.stage = Stage::Person;
                    return Ok(());
                };
                self.skipping = false;
                let surname = ctx.need(seg, 4, 1, "surname")?;
                let mut p = Person::new(role, surname);
                let name = seg.element(4);
                p.given_names = name.iter().skip(1).filter(|g| !g.is_empty()).map(|g| g.to_string()).collect();
                let address = Address {
                    street: ctx.opt(seg, 5, 1),
                    city: ctx.opt(seg, 6, 1),
                    region: ctx.opt(seg, 7, 1),
                    postcode: ctx.opt(seg, 8, 1),
                    country: ctx.opt(seg, 9, 1),
                };
                p.address = (!address.is_empty()).then_some(address);
                self.persons.push(p);
                self.stage = Stage::Person;
            }
            "COM" => match self.stage {
                Stage::Reporting => {
                    let r = self.reporting.as_mut().ok_or_else(|| Self::unexpected(ctx, seg))?;
                    for e in 1..=seg.elements() {
                        let (Some(n), q) = (seg.get(e, 1), seg.get(e, 2)) else { continue };
                        match q {
                            Some("FX") => r.fax = Some(n.to_string()),
                            _ if r.phone.is_none() => r.phone = Some(n.to_string()),
                            _ => {}
                        }
                    }
                }
                Stage::Person | Stage::Document => {
                    let numbers: Vec<String> =
                        (1..=seg.elements()).filter_map(|e| seg.get(e, 1)).map(str::to_string).collect();
                    self.person(ctx, seg)?.contacts.extend(numbers);
                }
                _ => return Err(Self::unexpected(ctx, seg)),
            },
            "TDT" => {
                if self.stage > Stage::Reporting || self.flight.is_some() {
                    return Err(Self::unexpected(ctx, seg));
                }
                let q = ctx.need(seg, 1, 1, "transport stage qualifier")?;
                if q != "20" {
                    return Err(ctx.err(
                        seg,
                        Some(1),
                        Some(1),
                        ErrorKind::InvalidValue { what: "transport stage qualifier" },
                    ));
                }
                let number = ctx.need(seg, 2, 1, "flight identification")?.to_string();
                self.flight = Some(Flight { number, carrier: ctx.opt(seg, 5, 1), places: Vec::new() });
                self.stage = Stage::Flight;
            }
            "LOC" => {
                let q = ctx.need(seg, 1, 1, "place qualifier")?;
                let place = || ctx.need(seg, 2, 1, "place");
                match (self.stage, q) {
                    (Stage::Flight, "125" | "87" | "92") => {
                        let airport = place()?.to_string();
                        let f = self.flight.as_mut().ok_or_else(|| Self::unexpected(ctx, seg))?;
                        f.places.push(FlightPlace { qualifier: q.to_string(), airport, at: None });
                    }
                    (Stage::Person, "178" | "179" | "22" | "174" | "180") => {
                        let v = match q {
                            "180" => ctx.opt(seg, 2, 1).or_else(|| ctx.opt(seg, 2, 4)),
                            _ => Some(place()?.to_string()),
                        }
                        .ok_or_else(|| ctx.err(seg, Some(2), Some(1), ErrorKind::MissingValue { what: "place" }))?;
                        let p = self.person(ctx, seg)?;
                        let slot = match q {
                            "178" => &mut p.embarkation,
                            "179" => &mut p.debarkation,
                            "22" => &mut p.clearance,
                            "174" => &mut p.residence,
                            _ => &mut p.birth_place,
                        };
                        *slot = Some(v);
                    }
                    (Stage::Document, "91") => {
                        let v = place()?.to_string();
                        self.document(ctx, seg)?.issuing_state = Some(v);
                    }
                    (Stage::Document, "178" | "179" | "22" | "174" | "180") => {
                        // A person's LOC after their DOC group: the guide puts
                        // them before it, carriers do not always.
                        self.stage = Stage::Person;
                        return self.segment(seg, ctx);
                    }
                    (Stage::Flight | Stage::Person | Stage::Document, _) => {
                        ctx.warn(seg, WarningKind::UnknownQualifier);
                    }
                    _ => return Err(Self::unexpected(ctx, seg)),
                }
            }
            "ATT" => {
                if !matches!(self.stage, Stage::Person | Stage::Document) {
                    return Err(Self::unexpected(ctx, seg));
                }
                if ctx.need(seg, 1, 1, "attribute function")? == "2" {
                    let sex = ctx.need(seg, 3, 1, "sex")?.to_ascii_uppercase();
                    if !matches!(sex.as_str(), "M" | "F" | "U" | "X") {
                        return Err(ctx.err(seg, Some(3), Some(1), ErrorKind::InvalidValue { what: "sex" }));
                    }
                    self.person(ctx, seg)?.sex = Some(sex);
                } else {
                    ctx.warn(seg, WarningKind::UnknownQualifier);
                }
            }
            "NAT" => {
                if !matches!(self.stage, Stage::Person | Stage::Document) {
                    return Err(Self::unexpected(ctx, seg));
                }
                let n = ctx.need(seg, 2, 1, "nationality")?.to_string();
                self.person(ctx, seg)?.nationality = Some(n);
            }
            "DOC" => {
                if !matches!(self.stage, Stage::Person | Stage::Document) {
                    return Err(Self::unexpected(ctx, seg));
                }
                let kind = ctx.need(seg, 1, 1, "document name code")?.to_string();
                let number = ctx.need(seg, 2, 1, "document number")?.to_string();
                self.person(ctx, seg)?.documents.push(TravelDocument { kind, number, ..TravelDocument::default() });
                self.stage = Stage::Document;
            }
            "CNT" => {
                if self.stage < Stage::Flight || self.stage == Stage::Count {
                    return Err(Self::unexpected(ctx, seg));
                }
                let q = ctx.need(seg, 1, 1, "control qualifier")?;
                if q != "41" && q != "42" {
                    return Err(ctx.err(seg, Some(1), Some(1), ErrorKind::InvalidValue { what: "control qualifier" }));
                }
                self.total = Some(ctx.number(seg, 1, 2, "control total")?);
                self.skipping = false;
                self.stage = Stage::Count;
            }
            t if SKIPPED.contains(&t) => {
                if self.stage == Stage::Count {
                    return Err(Self::unexpected(ctx, seg));
                }
            }
            _ => ctx.warn(seg, WarningKind::UnknownSegment),
        }
        Ok(())
    }

    fn person(&mut self, ctx: &Ctx<'_>, seg: &Segment<'_, '_>) -> Result<&mut Person, Error> {
        self.persons.last_mut().ok_or_else(|| Self::unexpected(ctx, seg))
    }

    fn document(&mut self, ctx: &Ctx<'_>, seg: &Segment<'_, '_>) -> Result<&mut TravelDocument, Error> {
        self.persons.last_mut().and_then(|p| p.documents.last_mut()).ok_or_else(|| Self::unexpected(ctx, seg))
    }

    pub fn finish(self, header: Header, unt: &Segment<'_, '_>, ctx: &mut Ctx<'_>) -> Result<Paxlst, Error> {
        let kind = self.kind.ok_or_else(|| ctx.err(unt, None, None, ErrorKind::MissingSegment { expected: "BGM" }))?;
        let flight =
            self.flight.ok_or_else(|| ctx.err(unt, None, None, ErrorKind::MissingSegment { expected: "TDT" }))?;
        let single = header.part.is_none_or(|p| p.sequence == 1 && p.last);
        if let (Some(total), true) = (self.total, single)
            && total as usize != self.persons.len()
        {
            ctx.warn(unt, WarningKind::PersonCountMismatch);
        }
        Ok(Paxlst {
            header,
            kind,
            document_id: self.document_id,
            references: self.references,
            reporting_party: self.reporting,
            flight,
            persons: self.persons,
            total: self.total,
        })
    }
}

/// Writes one PAXLST message (UNH…UNT).
pub(crate) fn write(m: &Paxlst, w: &mut Writer) {
    w.unh(&m.header, "PAXLST");
    w.seg("BGM", &[&[m.kind.code()], &[m.document_id.as_deref().unwrap_or("")]]);
    for (q, v) in &m.references {
        w.seg("RFF", &[&[q, v]]);
    }
    if let Some(r) = &m.reporting_party {
        w.seg("NAD", &[&["MS"], &[], &[], &[&r.name]]);
        let mut com: Vec<[&str; 2]> = Vec::new();
        if let Some(p) = &r.phone {
            com.push([p, "TE"]);
        }
        if let Some(f) = &r.fax {
            com.push([f, "FX"]);
        }
        if !com.is_empty() {
            let els: Vec<&[&str]> = com.iter().map(|c| c.as_slice()).collect();
            w.seg("COM", &els);
        }
    }
    let f = &m.flight;
    w.seg("TDT", &[&["20"], &[&f.number], &[], &[], &[f.carrier.as_deref().unwrap_or("")]]);
    for p in &f.places {
        w.seg("LOC", &[&[&p.qualifier], &[&p.airport]]);
        if let Some(at) = &p.at {
            let q = if p.qualifier == "87" { "232" } else { "189" };
            w.dtm(q, at);
        }
    }
    for p in &m.persons {
        let mut name: Vec<&str> = vec![&p.surname];
        name.extend(p.given_names.iter().map(String::as_str));
        let a = p.address.clone().unwrap_or_default();
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        let (street, city, region, postcode, country) =
            (o(&a.street), o(&a.city), o(&a.region), o(&a.postcode), o(&a.country));
        w.seg("NAD", &[&[p.role.code()], &[], &[], &name, &[&street], &[&city], &[&region], &[&postcode], &[&country]]);
        if let Some(s) = &p.sex {
            w.seg("ATT", &[&["2"], &[], &[s]]);
        }
        if let Some(d) = &p.birth_date {
            w.dtm("329", &DateTime { date: *d, time: None });
        }
        for (q, v) in [
            ("22", &p.clearance),
            ("178", &p.embarkation),
            ("179", &p.debarkation),
            ("174", &p.residence),
            ("180", &p.birth_place),
        ] {
            if let Some(v) = v {
                w.seg("LOC", &[&[q], &[v]]);
            }
        }
        if !p.contacts.is_empty() {
            let els: Vec<[&str; 2]> = p.contacts.iter().map(|c| [c.as_str(), "TE"]).collect();
            for chunk in els.chunks(9) {
                let chunk: Vec<&[&str]> = chunk.iter().map(|c| c.as_slice()).collect();
                w.seg("COM", &chunk);
            }
        }
        if let Some(n) = &p.nationality {
            w.seg("NAT", &[&["2"], &[n]]);
        }
        if let Some(b) = &p.booking {
            w.seg("RFF", &[&["AVF", b]]);
        }
        if let Some(s) = &p.seat {
            w.seg("RFF", &[&["SEA", s]]);
        }
        for (q, v) in &p.references {
            w.seg("RFF", &[&[q, v]]);
        }
        for d in &p.documents {
            w.seg("DOC", &[&[&d.kind, "110", "111"], &[&d.number]]);
            if let Some(e) = &d.expiry {
                w.dtm("36", &DateTime { date: *e, time: None });
            }
            if let Some(e) = &d.issued {
                w.dtm("182", &DateTime { date: *e, time: None });
            }
            if let Some(s) = &d.issuing_state {
                w.seg("LOC", &[&["91"], &[s]]);
            }
        }
    }
    if let Some(t) = m.total {
        let q = if m.kind == ListKind::Crew { "41" } else { "42" };
        w.seg("CNT", &[&[q, &t.to_string()]]);
    }
    w.unt(&m.header);
}
