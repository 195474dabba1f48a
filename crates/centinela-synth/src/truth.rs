//! The ground truth: who each crossing record really is, and every pattern
//! the generator planted, so that identity resolution, facilitator, ring and
//! document-reuse detection can be scored against it.

use std::collections::BTreeMap;
use std::io::{self, Write};

use centinela_domain::{BirthDate, CountryCode, ListKind, Sex};
use serde::{Deserialize, Serialize};

/// Why a synthetic person is in the country's traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonKind {
    /// Border-zone resident crossing to work, shop or trade, often weekly.
    Commuter,
    /// Lorry driver on regional freight routes.
    TruckDriver,
    /// A member of a family travelling together (parents and children).
    Family,
    /// Tourist on a coach tour registered as one party.
    TourGroup,
    /// Passenger of an international bus line, travelling alone.
    BusPassenger,
    /// Air traveller (tourist, business, diaspora visiting).
    AirTraveller,
    /// Cruise passenger on a day ashore.
    CruisePassenger,
    /// Migrant in transit north, on their own or in a family.
    Migrant,
    /// A local making one crossing or one round trip.
    OneOff,
    /// Organiser of a smuggling ring (on the watch list).
    RingLeader,
    /// Smuggler who crosses with different migrants each time.
    Facilitator,
    /// Migrant moved by a smuggling ring.
    SmuggledMigrant,
    /// Adult moving trafficking victims.
    Trafficker,
    /// Possible victim: a trafficked young woman or minor, or a minor with
    /// an adult who is not a parent.
    Victim,
    /// Adult travelling with a minor who is not theirs (T1).
    Escort,
    /// Ordinary traveller who is on the wanted list.
    Wanted,
    /// Crosses on someone else's stolen document.
    Impostor,
}

/// A synthetic person as they really are (records vary from this).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonTruth {
    pub person_id: String,
    pub given_names: String,
    pub surnames: String,
    pub birth_date: BirthDate,
    pub nationality: CountryCode,
    pub sex: Sex,
    pub kind: PersonKind,
}

/// What a ring does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RingKind {
    /// Moves migrants north for money (INDICATORS N1–N5, T10).
    Smuggling,
    /// Moves young women and minors into exploitation (T1, N2).
    Trafficking,
}

/// A planted network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ring {
    /// `R01`, `R02` …
    pub ring_id: String,
    pub kind: RingKind,
    /// The members: leader (smuggling rings) and facilitators, or the
    /// traffickers. These are the `person_ids` a ring detector should find.
    pub person_ids: Vec<String>,
    /// The people the ring moved (smuggled migrants, trafficking victims).
    pub moved: Vec<String>,
    /// Telephones the ring gives as contact for the people it moves (N1).
    pub phones: Vec<String>,
    /// Safe houses or destinations given for the people it moves (N1).
    pub addresses: Vec<String>,
    /// Document numbers it lends to several of the people it moves (N3/T4).
    pub documents: Vec<String>,
    /// Every crossing record of a member or of someone moved on a trip.
    pub crossing_ids: Vec<String>,
}

/// A planted facilitator: the adult who crosses again and again with
/// different companions (N2, N5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facilitator {
    pub person_id: String,
    pub ring_id: String,
    /// Their crossing records.
    pub crossings: usize,
    /// Different persons they crossed with in one travel party.
    pub distinct_companions: usize,
    /// Of those, how many were minors at the time.
    pub minor_companions: usize,
}

/// Why a victim is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VictimKind {
    /// Young woman or minor moved by a trafficking ring.
    Trafficked,
    /// Minor moved by a smuggling ring, with no parent (T1).
    SmuggledMinor,
    /// Minor crossing with one adult who is not a parent (T1).
    MinorWithNonRelative,
}

/// A planted possible victim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Victim {
    pub person_id: String,
    pub kind: VictimKind,
    /// The adult they crossed with.
    pub escort_id: String,
    pub ring_id: Option<String>,
}

/// A planted person on an alert list, with the spelling the list uses
/// (different from most of their crossing records on purpose).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub person_id: String,
    /// The list's name (`SynthList::name`).
    pub list: String,
    pub kind: ListKind,
    /// The entry's id within the list.
    pub entry_id: String,
    pub given_names: String,
    pub surnames: String,
}

/// How a document was misused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MisuseKind {
    /// Someone else's stolen or lost document (T4); on the documents list.
    Stolen,
    /// A number a ring lends to several of the people it moves (N3).
    Reused,
}

/// A crossing made on a document that is not the traveller's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentMisuse {
    pub crossing_id: String,
    /// Who really crossed.
    pub person_id: String,
    pub document_number: String,
    pub issuing_state: CountryCode,
    pub kind: MisuseKind,
    /// The lawful holder, when they exist among the synthetic persons.
    pub holder_id: Option<String>,
    /// Whether the number is on the documents list.
    pub listed: bool,
}

/// Everything planted, keyed by stable ids.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Truth {
    /// crossing_id → person_id, for every crossing record.
    pub person_of_crossing: BTreeMap<String, String>,
    /// Every person who crosses, by person_id order.
    pub persons: Vec<PersonTruth>,
    pub rings: Vec<Ring>,
    pub facilitators: Vec<Facilitator>,
    pub victims: Vec<Victim>,
    /// Planted persons on alert lists.
    pub listed: Vec<Listing>,
    pub document_misuse: Vec<DocumentMisuse>,
}

impl Truth {
    /// The person behind a crossing record.
    pub fn person_of(&self, crossing_id: &str) -> Option<&str> {
        self.person_of_crossing.get(crossing_id).map(String::as_str)
    }

    /// Writes `crossing_id,person_id` for every record, in crossing-id
    /// order: the layout of `centinela intel persons`, so a resolver's
    /// output can be compared with it directly.
    pub fn write_persons_csv<W: Write>(&self, w: W) -> io::Result<()> {
        let mut wr = csv::Writer::from_writer(w);
        wr.write_record(["crossing_id", "person_id"])?;
        for (c, p) in &self.person_of_crossing {
            wr.write_record([c, p])?;
        }
        wr.flush()
    }
}
