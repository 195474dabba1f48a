//! The synthetic demo country: a year of border crossings for one country
//! of the region, its alert lists and demo users, and the **ground truth**
//! of everything planted in them.
//!
//! Everything is a pure function of [`Config`]: the same seed, scale,
//! country and start give byte-identical output on every platform
//! ([`Rng`] is SplitMix64; no hash-map order, clock or thread is involved).
//! The crate does no I/O except writing CSV to a caller's
//! [`std::io::Write`].
//!
//! # What is generated
//!
//! - [`Country::posts`]: the country's real crossing points, from the
//!   project's table of border posts (land, air and sea).
//! - [`Country::users`]: one demo user per role, a supervisor and two
//!   officers per post (no passwords: the caller makes them).
//! - [`Country::crossings`]: entries and exits in time order, as
//!   `CONTRACTS.md` gives their columns. Persons have Latin American names
//!   (two surnames, compound given names, particles, accents and `Ñ`, Maya
//!   surnames in Guatemala; Haitian and English names where they belong),
//!   nationalities of the region and beyond, birth dates, passports and
//!   identity cards numbered in each state's style, E.164 mobile numbers
//!   and addresses. Traffic: border-zone commuters, lorry drivers with
//!   their plates, families (parents and children as one `group_id`),
//!   coach tours, international bus lines, air travellers on flights,
//!   cruise passengers, migrants in transit north and one-off crossers.
//!   Round trips pair an entry with an exit; times of day follow the post.
//! - Record noise: the same person is written differently at different
//!   crossings — scanned from the MRZ (upper case, no accents) or keyed by
//!   hand, second surname or second given name missing, given names
//!   swapped, a typo, accents dropped, passport one time and identity card
//!   the next, no phone or address, rarely day and month swapped or a
//!   look-alike character in the document number. Identity resolution is a
//!   real task.
//! - [`Country::lists`]: a wanted list, a missing-persons list, a stolen
//!   and lost documents list and a national watch list, mostly of people
//!   who never cross (so common names give false hits, as in life).
//!
//! # Ground truth ([`Truth`])
//!
//! - `person_of_crossing`: the real person behind every record.
//! - `rings`: smuggling rings — a leader on the watch list and two or three
//!   facilitators who each make 8–20 trips a year, every time with
//!   different unrelated migrants, some of them minors (N2, N5, T1); the
//!   migrants give the ring's phones and safe houses (N1); some travel on
//!   passports the ring lends to several people (N3, T4); the leader
//!   crosses with the facilitators several times (N4). Trafficking rings —
//!   one or two adults crossing with young women and girls, some of whom
//!   are on the missing-persons list under a slightly different spelling.
//! - `facilitators`, `victims`: the planted adults and the possible victims
//!   (trafficked, smuggled minors, minors with an adult who is no parent).
//! - `listed`: every planted person on a list, with the entry's id and the
//!   spelling the list uses (wanted travellers, ring members, victims).
//! - `document_misuse`: crossings on someone else's stolen document (on the
//!   documents list; the lawful holder sometimes crossed on it earlier) or
//!   on a ring's lent passport.
//!
//! Random list entries may by chance share a name with a traveller; those
//! coincidences are not in the truth, as they are not the same person.

pub mod air;
mod lists;
mod names;
mod places;
mod portrait;
mod posts;
mod rng;
mod truth;
mod world;

use std::io::{self, Write};

use centinela_domain::{CountryCode, CrossingRecord, Role, Timestamp};
use serde::{Deserialize, Serialize};

pub use air::{AirlineDay, PlantedBookings, airline_day};
pub use lists::SynthList;
pub use portrait::{PORTRAIT_SIZE, portrait_png};
pub use posts::{BORDER_POSTS_CSV, Post, PostKind, all_posts, posts_of};
pub use rng::Rng;
pub use truth::{
    DocumentMisuse, Facilitator, Listing, MisuseKind, PersonKind, PersonTruth, Ring, RingKind, Truth, Victim,
    VictimKind,
};

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// A few thousand crossings and hundreds of list entries, in well under
    /// a second: for tests and a quick look.
    #[default]
    Small,
    /// A year of a country's crossings (about a quarter of a million) and
    /// lists of tens of thousands of persons and 100 000 documents.
    Full,
}

impl Scale {
    /// `small` or `full`.
    pub fn parse(s: &str) -> Option<Scale> {
        match s.trim().to_ascii_lowercase().as_str() {
            "small" => Some(Scale::Small),
            "full" => Some(Scale::Full),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Scale::Small => "small",
            Scale::Full => "full",
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    pub seed: u64,
    pub scale: Scale,
    /// The country whose posts register the crossings (default Guatemala).
    /// A country without posts in the table gets no crossings.
    pub country: CountryCode,
    /// The first day covered (its UTC date counts; the time is ignored);
    /// the data covers 365 days from there.
    pub start: Timestamp,
}

impl Config {
    /// Guatemala, from 2025-01-01.
    pub fn new(seed: u64, scale: Scale) -> Config {
        Config {
            seed,
            scale,
            country: CountryCode::parse("GTM").expect("GTM is a country code"),
            start: Timestamp::parse("2025-01-01T00:00:00Z").expect("a valid timestamp"),
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config::new(1, Scale::Small)
    }
}

/// A demo account. The caller chooses its password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoUser {
    /// Letters, digits and dots: valid for `centinela users add`.
    pub username: String,
    pub role: Role,
    /// The post code for officers and supervisors.
    pub post: Option<String>,
    /// A synthetic full name, for display.
    pub display_name: String,
}

/// The synthetic country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country {
    pub config: Config,
    pub posts: Vec<Post>,
    pub users: Vec<DemoUser>,
    /// In `ListKind::ALL` order: wanted, missing, documents, watch.
    pub lists: Vec<SynthList>,
    /// In time order; `crossing_id`s follow that order.
    pub crossings: Vec<CrossingRecord>,
    pub truth: Truth,
}

/// Generates the country. Deterministic: see the crate documentation.
pub fn generate(cfg: &Config) -> Country {
    let posts = posts_of(cfg.country);
    let mut w = world::World::new(cfg, posts.clone());
    if !posts.is_empty() {
        w.ordinary(cfg.scale);
        w.planted(cfg.scale);
    }
    let world::Finished { crossings, mut truth, people, list_requests, reported_docs, start_day } = w.finish();
    let (lists, listed) = lists::build(cfg, &people, &list_requests, &reported_docs, start_day);
    truth.listed = listed;
    let users = users(cfg, &posts);
    Country { config: *cfg, posts, users, lists, crossings, truth }
}

fn users(cfg: &Config, posts: &[Post]) -> Vec<DemoUser> {
    let mut rng = Rng::new(cfg.seed).fork(40);
    let nat = places::nation_of(cfg.country.as_str());
    let name = |rng: &mut Rng| {
        let female = rng.chance(0.5);
        let n = names::person_name(rng, nat.style, female);
        format!("{} {}", n.given_text(), n.surnames_text())
    };
    let mut out = Vec::new();
    for (username, role) in [
        ("admin", Role::Admin),
        ("auditor", Role::Auditor),
        ("analista", Role::Analyst),
        ("analista2", Role::Analyst),
        ("proteccion", Role::Protection),
    ] {
        out.push(DemoUser { username: username.to_string(), role, post: None, display_name: name(&mut rng) });
    }
    for p in posts {
        let slug = p.code.split_once('-').map_or(p.code.as_str(), |x| x.1).to_ascii_lowercase();
        for (prefix, role) in
            [("supervisor", Role::Supervisor), ("oficial1", Role::Officer), ("oficial2", Role::Officer)]
        {
            out.push(DemoUser {
                username: format!("{prefix}.{slug}"),
                role,
                post: Some(p.code.clone()),
                display_name: name(&mut rng),
            });
        }
    }
    out
}

/// The crossing-records CSV header of `CONTRACTS.md`.
pub use centinela_domain::CROSSING_COLUMNS as CROSSINGS_HEADER;

/// Writes crossing records as the CSV `centinela import crossings` reads
/// (`CONTRACTS.md`, "Crossing records"): that header, that column order,
/// RFC 3339 UTC times, empty cells for unknown values.
pub fn write_crossings_csv<W: Write>(w: W, records: &[CrossingRecord]) -> io::Result<()> {
    let mut wr = csv::Writer::from_writer(w);
    wr.write_record(CROSSINGS_HEADER)?;
    for r in records {
        let birth = r.birth_date.map(|b| b.to_string()).unwrap_or_default();
        let nat = r.nationality.as_ref().map(|c| c.as_str()).unwrap_or("");
        let state = r.issuing_state.as_ref().map(|c| c.as_str()).unwrap_or("");
        let number = r.document_number.as_ref().map(|d| d.as_str()).unwrap_or("");
        wr.write_record([
            r.crossing_id.as_str(),
            &r.post,
            r.direction.as_str(),
            &r.crossed_at.to_string(),
            &r.given_names,
            &r.surnames,
            &birth,
            nat,
            r.sex.as_str(),
            &r.document_type,
            number,
            state,
            &r.group_id,
            &r.vehicle,
            &r.phone,
            &r.address,
            &r.destination,
        ])?;
    }
    wr.flush()
}

/// Writes a list in the format `centinela lists import` reads: the
/// documents format (`document_number,issuing_state,document_type,status,
/// reported_at`) for a documents list, else the alert-list CSV
/// (`id,given_names,surnames,birth_date,nationality,sex,aliases,
/// document_numbers,notes,alert_reason,alert_action,alert_authority,alert_issued`,
/// multiple values joined by `;`).
pub fn write_list_csv<W: Write>(w: W, list: &SynthList) -> io::Result<()> {
    let mut wr = csv::Writer::from_writer(w);
    if list.kind == centinela_domain::ListKind::Documents {
        wr.write_record(["document_number", "issuing_state", "document_type", "status", "reported_at"])?;
        for d in &list.documents {
            wr.write_record([
                d.document_number.as_str(),
                d.issuing_state.as_ref().map(|c| c.as_str()).unwrap_or(""),
                &d.document_type,
                d.status.as_str(),
                &d.reported_at,
            ])?;
        }
        return wr.flush();
    }
    wr.write_record([
        "id",
        "given_names",
        "surnames",
        "birth_date",
        "nationality",
        "sex",
        "aliases",
        "document_numbers",
        "notes",
        "alert_reason",
        "alert_action",
        "alert_authority",
        "alert_issued",
    ])?;
    let join = |v: Vec<String>| v.join(";");
    for e in &list.entries {
        wr.write_record([
            e.id.as_str(),
            &e.given_names,
            &e.surnames,
            &join(e.birth_dates.iter().map(|b| b.to_string()).collect()),
            &join(e.nationalities.iter().map(|c| c.to_string()).collect()),
            e.sex.as_str(),
            &e.aliases.join(";"),
            &join(e.document_numbers.iter().map(|d| d.to_string()).collect()),
            &e.notes,
            &e.notice.reason,
            &e.notice.action,
            &e.notice.authority,
            &e.notice.issued.map(|d| d.to_string()).unwrap_or_default(),
        ])?;
    }
    wr.flush()
}
