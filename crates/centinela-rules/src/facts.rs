//! What a rule can see: the facts of one traveller at one inspection,
//! filled by the caller, and the traveller's history, asked through the
//! [`History`] trait. A fact the caller does not know stays unknown
//! (`None`, or an empty string); a condition that depends on an unknown
//! fact is unknown, and a rule fires only when its condition is true.

use centinela_domain::Timestamp;

/// The traveller.
#[derive(Debug, Clone, Copy, Default)]
pub struct Traveller<'a> {
    /// Age in whole years on the day of the crossing.
    pub age: Option<i64>,
    /// `M`, `F`, `X`; empty if unknown.
    pub sex: &'a str,
    /// ICAO alpha-3.
    pub nationality: &'a str,
    /// Relation to the party's first traveller (`lead`, `parent`, `child`,
    /// `guardian`, `ward`, `spouse`, `sibling`, `relative`, `none`).
    pub relation: &'a str,
    /// A minor shows a travel consent signed by the parents or a court.
    pub travel_consent: Option<bool>,
    /// The officer's observations, by indicator id (`T3`, `T5` … `T10`).
    /// `None` when nobody recorded observations (history, imports).
    pub observations: Option<&'a [&'a str]>,
}

/// The travel document.
#[derive(Debug, Clone, Copy, Default)]
pub struct Document<'a> {
    /// `P`, `ID`, `V` … as read.
    pub kind: &'a str,
    pub issuing_state: &'a str,
    pub expired: Option<bool>,
    /// Days from the crossing to the document's expiry (negative: expired).
    pub days_to_expiry: Option<i64>,
    /// Whether every MRZ check passed; unknown without an MRZ.
    pub mrz_valid: Option<bool>,
    /// Codes of the checks that failed (`check_digit_birth_date`, `expired` …).
    pub problems: Option<&'a [&'a str]>,
    /// Typed fields contradict the MRZ.
    pub typed_differs: Option<bool>,
    /// The ePassport chip's Passive Authentication outcome (`verified`,
    /// `chip_data_altered`, `signature_invalid`, `ds_not_trusted`,
    /// `chip_page_mismatch`, `malformed`); empty when no chip was read.
    pub chip: &'a str,
}

/// The crossing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Crossing<'a> {
    /// The post's code.
    pub post: &'a str,
    /// `entry` or `exit`.
    pub direction: &'a str,
    /// Hour of day (0–23, UTC).
    pub hour: Option<i64>,
    /// Day of the week, 1 (Monday) to 7 (Sunday), UTC.
    pub weekday: Option<i64>,
    /// `land`, `air` or `sea`.
    pub transport: &'a str,
    /// Plate, bus or flight identifier.
    pub vehicle: &'a str,
    pub destination: &'a str,
    /// A route label of the caller's choosing (e.g. `GTM-TECUNUMAN>Tapachula`).
    pub route: &'a str,
}

impl Crossing<'_> {
    /// Sets `hour` and `weekday` from the crossing's time.
    pub fn at(mut self, t: Timestamp) -> Self {
        let s = t.unix_seconds();
        let days = s.div_euclid(86_400);
        self.hour = Some(s.rem_euclid(86_400) / 3600);
        // 1970-01-01 was a Thursday (4).
        self.weekday = Some((days + 3).rem_euclid(7) + 1);
        self
    }
}

/// The travel party the traveller is registered with (the traveller
/// included).
#[derive(Debug, Clone, Copy, Default)]
pub struct Party {
    pub size: Option<i64>,
    pub adults: Option<i64>,
    pub minors: Option<i64>,
    /// For a minor: an adult of the party is recorded as parent or
    /// guardian (from relations; a caller without relations may use a
    /// shared surname and says so).
    pub has_guardian: Option<bool>,
    /// The traveller is the party's first traveller.
    pub is_lead: Option<bool>,
}

/// What passenger data (PNR and API, issue 23) says of an air traveller's
/// booking and flight: filled only before arrival or departure by air;
/// at a land booth and in back-tests over crossings every fact is unknown.
#[derive(Debug, Clone, Copy, Default)]
pub struct Booking<'a> {
    /// IATA code of the airport the itinerary starts from.
    pub origin: &'a str,
    /// IATA code of the itinerary's last airport.
    pub destination: &'a str,
    /// IATA codes of the airports between (connections).
    pub transit: Option<&'a [&'a str]>,
    /// Whole days from the booking's creation to the flight's departure.
    pub days_before_departure: Option<i64>,
    /// The itinerary has no return to its origin.
    pub one_way: Option<bool>,
    /// The form of payment is cash (PNRGOV FOP `CA`).
    pub cash: Option<bool>,
    /// The travel agency that made the booking, as the carrier names it.
    pub agency: &'a str,
    /// Passengers on the booking.
    pub group_size: Option<i64>,
    /// Passengers of other bookings on the same flight, of other surnames,
    /// paid for with the same payment account.
    pub shared_payer: Option<i64>,
    /// Passengers of other bookings on the same flight, of other surnames,
    /// with the same contact (phone or e-mail).
    pub shared_contact: Option<i64>,
    /// For a minor: no adult of the booking shares a surname with them and
    /// none is declared guardian (the PNR has no relations: a shared
    /// surname stands for one).
    pub minor_without_guardian: Option<bool>,
}

/// A question about the past, counted over the `days` before the crossing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HistoryQuery {
    /// Earlier crossings of this person.
    Crossings,
    /// Earlier crossings on this document number.
    DocumentCrossings,
    /// Other persons registered earlier with this document number (T4, N3).
    DocumentHolders,
    /// Distinct persons this person crossed with in one party.
    Companions,
    /// Of those, minors at the time.
    MinorCompanions,
    /// Of those, minors or women aged 18–24, sharing no surname with this
    /// person (N2).
    VulnerableCompanions,
    /// Of this person's companions, those who crossed only that once (N5).
    OnceCompanions,
    /// The most vulnerable companions any other adult of this party had
    /// (N2 seen from the companion's side).
    EscortVulnerableCompanions,
    /// Unrelated persons (no shared surname) who gave the same phone (N1).
    PhoneTravellers,
    /// Unrelated persons who gave the same address (N1).
    AddressTravellers,
    /// Crossings made together with a person flagged or on a list (N4).
    FlaggedCompanionCrossings,
}

impl HistoryQuery {
    pub const ALL: [HistoryQuery; 11] = [
        HistoryQuery::Crossings,
        HistoryQuery::DocumentCrossings,
        HistoryQuery::DocumentHolders,
        HistoryQuery::Companions,
        HistoryQuery::MinorCompanions,
        HistoryQuery::VulnerableCompanions,
        HistoryQuery::OnceCompanions,
        HistoryQuery::EscortVulnerableCompanions,
        HistoryQuery::PhoneTravellers,
        HistoryQuery::AddressTravellers,
        HistoryQuery::FlaggedCompanionCrossings,
    ];

    /// The name rules use: `history.<name>(days: N)`.
    pub fn name(&self) -> &'static str {
        match self {
            HistoryQuery::Crossings => "crossings",
            HistoryQuery::DocumentCrossings => "document_crossings",
            HistoryQuery::DocumentHolders => "document_holders",
            HistoryQuery::Companions => "companions",
            HistoryQuery::MinorCompanions => "minor_companions",
            HistoryQuery::VulnerableCompanions => "vulnerable_companions",
            HistoryQuery::OnceCompanions => "once_companions",
            HistoryQuery::EscortVulnerableCompanions => "escort_vulnerable_companions",
            HistoryQuery::PhoneTravellers => "phone_travellers",
            HistoryQuery::AddressTravellers => "address_travellers",
            HistoryQuery::FlaggedCompanionCrossings => "flagged_companion_crossings",
        }
    }
}

/// The traveller's history, as the caller can answer it (from the store,
/// or from the crossings in memory when back-testing). `None`: not known.
/// Rules ask each question at most once per rule, with `days` in
/// 1..=[`MAX_DAYS`]; an answer should take bounded time.
pub trait History {
    fn count(&self, query: HistoryQuery, days: u32) -> Option<i64>;
}

/// The longest window a rule may ask about (ten years).
pub const MAX_DAYS: u32 = 3650;
/// The window when a rule names none.
pub const DEFAULT_DAYS: u32 = 365;

/// No history: every question is unknown.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHistory;

impl History for NoHistory {
    fn count(&self, _: HistoryQuery, _: u32) -> Option<i64> {
        None
    }
}

/// Everything the rules see of one traveller at one inspection.
#[derive(Clone, Copy)]
pub struct Facts<'a> {
    pub traveller: Traveller<'a>,
    pub document: Document<'a>,
    pub crossing: Crossing<'a>,
    pub party: Party,
    /// Passenger data, before a flight (unknown elsewhere).
    pub booking: Booking<'a>,
    pub history: &'a dyn History,
}

impl Default for Facts<'_> {
    fn default() -> Self {
        Facts {
            traveller: Traveller::default(),
            document: Document::default(),
            crossing: Crossing::default(),
            party: Party::default(),
            booking: Booking::default(),
            history: &NoHistory,
        }
    }
}

impl std::fmt::Debug for Facts<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Facts")
            .field("traveller", &self.traveller)
            .field("document", &self.document)
            .field("crossing", &self.crossing)
            .field("party", &self.party)
            .field("booking", &self.booking)
            .finish_non_exhaustive()
    }
}

/// A fact's type in the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Bool,
    Int,
    Str,
    /// A list of strings (observations, problems, `["HND", "SLV"]`).
    List,
}

impl Type {
    pub fn name(&self) -> &'static str {
        match self {
            Type::Bool => "true/false",
            Type::Int => "a number",
            Type::Str => "text",
            Type::List => "a list",
        }
    }
}

/// Every fact a rule can name, with its type and meaning (for the editor
/// and `centinela rules check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Age,
    Minor,
    Sex,
    Nationality,
    Relation,
    TravelConsent,
    Observations,
    DocKind,
    IssuingState,
    Expired,
    DaysToExpiry,
    MrzValid,
    Problems,
    ChecksFailed,
    TypedDiffers,
    Chip,
    ChipFailed,
    ChipPageMismatch,
    Post,
    Direction,
    Hour,
    Weekday,
    Transport,
    Vehicle,
    Destination,
    Route,
    PartySize,
    Adults,
    Minors,
    HasGuardian,
    IsLead,
    Origin,
    BookingDestination,
    Transit,
    DaysBeforeDeparture,
    OneWay,
    Cash,
    Agency,
    GroupSize,
    SharedPayer,
    SharedContact,
    MinorWithoutGuardian,
}

/// (name, field, type, meaning)
pub const FIELDS: [(&str, Field, Type, &str); 42] = [
    ("traveller.age", Field::Age, Type::Int, "age in years on the day of the crossing"),
    ("traveller.minor", Field::Minor, Type::Bool, "under 18"),
    ("traveller.sex", Field::Sex, Type::Str, "M, F or X"),
    ("traveller.nationality", Field::Nationality, Type::Str, "ICAO alpha-3 code"),
    ("traveller.relation", Field::Relation, Type::Str, "relation to the party's first traveller"),
    ("traveller.travel_consent", Field::TravelConsent, Type::Bool, "a minor's travel consent was shown"),
    ("traveller.observations", Field::Observations, Type::List, "the officer's observations (T3, T5 … T10)"),
    ("document.type", Field::DocKind, Type::Str, "P, ID, V …"),
    ("document.issuing_state", Field::IssuingState, Type::Str, "ICAO alpha-3 code"),
    ("document.expired", Field::Expired, Type::Bool, "the document has expired"),
    ("document.days_to_expiry", Field::DaysToExpiry, Type::Int, "days until expiry (negative: expired)"),
    ("document.mrz_valid", Field::MrzValid, Type::Bool, "every MRZ check passed"),
    ("document.problems", Field::Problems, Type::List, "codes of the document checks that failed"),
    ("document.checks_failed", Field::ChecksFailed, Type::Int, "how many document checks failed"),
    ("document.typed_differs", Field::TypedDiffers, Type::Bool, "typed fields contradict the MRZ"),
    (
        "document.chip",
        Field::Chip,
        Type::Str,
        "the chip's verdict: verified, chip_data_altered, signature_invalid, ds_not_trusted, chip_page_mismatch, malformed",
    ),
    ("document.chip_failed", Field::ChipFailed, Type::Bool, "the chip was read and failed Passive Authentication"),
    (
        "document.chip_page_mismatch",
        Field::ChipPageMismatch,
        Type::Bool,
        "the chip's MRZ (DG1) differs from the page's",
    ),
    ("crossing.post", Field::Post, Type::Str, "the post's code"),
    ("crossing.direction", Field::Direction, Type::Str, "entry or exit"),
    ("crossing.hour", Field::Hour, Type::Int, "hour of day, 0-23 UTC"),
    ("crossing.weekday", Field::Weekday, Type::Int, "1 (Monday) to 7 (Sunday)"),
    ("crossing.transport", Field::Transport, Type::Str, "land, air or sea"),
    ("crossing.vehicle", Field::Vehicle, Type::Str, "plate, bus or flight"),
    ("crossing.destination", Field::Destination, Type::Str, "destination as declared"),
    ("crossing.route", Field::Route, Type::Str, "route label"),
    ("party.size", Field::PartySize, Type::Int, "travellers in the party, this one included"),
    ("party.adults", Field::Adults, Type::Int, "adults in the party"),
    ("party.minors", Field::Minors, Type::Int, "minors in the party"),
    ("party.has_guardian", Field::HasGuardian, Type::Bool, "an adult of the party is parent or guardian"),
    ("party.is_lead", Field::IsLead, Type::Bool, "the traveller is the party's first"),
    ("booking.origin", Field::Origin, Type::Str, "IATA code of the itinerary's first airport (passenger data)"),
    ("booking.destination", Field::BookingDestination, Type::Str, "IATA code of the itinerary's last airport"),
    ("booking.transit", Field::Transit, Type::List, "IATA codes of the connecting airports"),
    (
        "booking.days_before_departure",
        Field::DaysBeforeDeparture,
        Type::Int,
        "days from the booking to the flight's departure",
    ),
    ("booking.one_way", Field::OneWay, Type::Bool, "the itinerary does not return to its origin"),
    ("booking.cash", Field::Cash, Type::Bool, "paid in cash"),
    ("booking.agency", Field::Agency, Type::Str, "the travel agency that booked"),
    ("booking.group_size", Field::GroupSize, Type::Int, "passengers on the booking"),
    (
        "booking.shared_payer",
        Field::SharedPayer,
        Type::Int,
        "passengers of other bookings and surnames on the flight with the same payer",
    ),
    (
        "booking.shared_contact",
        Field::SharedContact,
        Type::Int,
        "passengers of other bookings and surnames on the flight with the same contact",
    ),
    (
        "booking.minor_without_guardian",
        Field::MinorWithoutGuardian,
        Type::Bool,
        "a minor whose booking has no adult of the same surname or declared guardian",
    ),
];

/// A value during evaluation; `U` is unknown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum V<'x> {
    U,
    B(bool),
    I(i64),
    S(&'x str),
    L(&'x [&'x str]),
    /// A literal list in the rule set's string pool.
    Lit(u32, u32),
}

fn s(v: &str) -> V<'_> {
    if v.is_empty() { V::U } else { V::S(v) }
}

fn b(v: Option<bool>) -> V<'static> {
    v.map_or(V::U, V::B)
}

fn i(v: Option<i64>) -> V<'static> {
    v.map_or(V::U, V::I)
}

impl<'a> Facts<'a> {
    pub(crate) fn get<'x>(&'x self, f: Field) -> V<'x> {
        let (t, d, c, p, k) = (&self.traveller, &self.document, &self.crossing, &self.party, &self.booking);
        match f {
            Field::Age => i(t.age),
            Field::Minor => b(t.age.map(|a| a < 18)),
            Field::Sex => s(t.sex),
            Field::Nationality => s(t.nationality),
            Field::Relation => s(t.relation),
            Field::TravelConsent => b(t.travel_consent),
            Field::Observations => t.observations.map_or(V::U, V::L),
            Field::DocKind => s(d.kind),
            Field::IssuingState => s(d.issuing_state),
            Field::Expired => b(d.expired),
            Field::DaysToExpiry => i(d.days_to_expiry),
            Field::MrzValid => b(d.mrz_valid),
            Field::Problems => d.problems.map_or(V::U, V::L),
            Field::ChecksFailed => i(d.problems.map(|p| p.len() as i64)),
            Field::TypedDiffers => b(d.typed_differs),
            Field::Chip => s(d.chip),
            Field::ChipFailed => {
                if d.chip.is_empty() {
                    V::U
                } else {
                    V::B(d.chip != "verified")
                }
            }
            Field::ChipPageMismatch => {
                if d.chip.is_empty() {
                    V::U
                } else {
                    V::B(d.chip == "chip_page_mismatch")
                }
            }
            Field::Post => s(c.post),
            Field::Direction => s(c.direction),
            Field::Hour => i(c.hour),
            Field::Weekday => i(c.weekday),
            Field::Transport => s(c.transport),
            Field::Vehicle => s(c.vehicle),
            Field::Destination => s(c.destination),
            Field::Route => s(c.route),
            Field::PartySize => i(p.size),
            Field::Adults => i(p.adults),
            Field::Minors => i(p.minors),
            Field::HasGuardian => b(p.has_guardian),
            Field::IsLead => b(p.is_lead),
            Field::Origin => s(k.origin),
            Field::BookingDestination => s(k.destination),
            Field::Transit => k.transit.map_or(V::U, V::L),
            Field::DaysBeforeDeparture => i(k.days_before_departure),
            Field::OneWay => b(k.one_way),
            Field::Cash => b(k.cash),
            Field::Agency => s(k.agency),
            Field::GroupSize => i(k.group_size),
            Field::SharedPayer => i(k.shared_payer),
            Field::SharedContact => i(k.shared_contact),
            Field::MinorWithoutGuardian => b(k.minor_without_guardian),
        }
    }
}
